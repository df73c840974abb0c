"""Training and evaluation of the linker on labelled development data.

Nothing here is imported at run time: the runtime stages (``link``, ``represent`` ...)
load the models this package trains. ``train_link`` fits the event and storyline pair
models; ``devset`` turns a labelled story set into streams at several densities and
splits it by storyline; ``lso`` is the leave-storyline-out evaluation command;
``baselines`` computes the naive references it is compared with.
"""
