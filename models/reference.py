#!/usr/bin/env python3
"""The NumPy reference of peerz's mlp-int8 workload: integer-only quantized inference.

Written apart from the Java implementation (io.peerz.attest.SafetensorsFile, QuantizedMlp,
Requantization, Int8Inference, ModelCommitment) and from the same specification,
docs/attestation.md "Workload mlp-int8": it reads the .safetensors file with its own parser,
checks the same rules, runs the layers in int64 with gemmlowp's fixed-point requantization, and
computes the model root with hashlib. CI runs it against the Java side on random models and on
the shipped model (QuantizedMlpReferenceTest); outputs, roots and rejections must agree exactly.

Commands (PYTHONPATH="$(models/python-env.sh)"):
  reference.py root MODEL                      print the model root (hex)
  reference.py run MODEL INPUT.npy OUT         every layer's accumulators and outputs to OUT
                                               (.safetensors: layers.<l>.accumulators I32,
                                               layers.<l>.outputs I8)
  reference.py cases DIR                       for each DIR/<case>.model.safetensors with
                                               DIR/<case>.input.npy: <case>.result.safetensors,
                                               or <case>.error.txt when the model or input is bad
  reference.py requantize IN OUT               the arithmetic alone: IN holds I32 [n] tensors
                                               accumulators, multipliers, shifts,
                                               output_zero_points and activations; OUT gets
                                               scaled (I32, MultiplyByQuantizedMultiplier) and
                                               outputs (I8, after zero point and clamp)
  reference.py accuracy MODEL IMAGES LABELS    predictions (argmax of the last layer, lowest index
                                               on ties) against the labels
"""

import hashlib
import json
import re
import struct
import sys
from pathlib import Path

import numpy as np

# Every dtype the safetensors format names, with its size in bytes.
DTYPE_SIZES = {
    "BOOL": 1, "U8": 1, "I8": 1, "F8_E5M2": 1, "F8_E4M3": 1,
    "I16": 2, "U16": 2, "F16": 2, "BF16": 2,
    "I32": 4, "U32": 4, "F32": 4,
    "I64": 8, "U64": 8, "F64": 8,
}
NUMPY_DTYPES = {"I8": "<i1", "U8": "<u1", "I32": "<i4", "I64": "<i8", "F32": "<f4", "F64": "<f8"}
MAX_HEADER_BYTES = 100_000_000  # the safetensors library's own limit
MAX_LAYERS = 64
MAX_INNER = 131_071  # io.peerz.attest.CpuGemm.MAX_INNER
INT32_MAX = 2**31 - 1
INT32_MIN = -(2**31)


class ModelError(Exception):
    """A file that is not a valid mlp-int8 model or input."""


# ---------------------------------------------------------------- safetensors

def _no_duplicates(pairs):
    out = {}
    for key, value in pairs:
        if key in out:
            raise ModelError(f"the header names {key!r} twice")
        out[key] = value
    return out


def _no_floats(text):
    raise ModelError(f"the header holds the number {text}; only integers belong in it")


def read_safetensors(data):
    """(metadata, {name: (dtype, shape, raw bytes)}) of a .safetensors file, checked strictly."""
    if len(data) < 8:
        raise ModelError("not a .safetensors file: shorter than its 8-byte header length")
    (n,) = struct.unpack("<Q", data[:8])
    if n > MAX_HEADER_BYTES:
        raise ModelError(f"the header claims {n} bytes, more than {MAX_HEADER_BYTES}")
    if 8 + n > len(data):
        raise ModelError(f"the header claims {n} bytes but only {len(data) - 8} follow")
    try:
        text = data[8:8 + n].decode("utf-8")
    except UnicodeDecodeError:
        raise ModelError("the header is not UTF-8") from None
    if not text.startswith("{"):
        raise ModelError("the header is not a JSON object")
    try:
        header = json.loads(text, object_pairs_hook=_no_duplicates,
                            parse_float=_no_floats, parse_constant=_no_floats)
    except json.JSONDecodeError as e:
        raise ModelError(f"the header is not JSON: {e}") from None
    if not isinstance(header, dict):
        raise ModelError("the header is not a JSON object")
    body = data[8 + n:]
    metadata = header.pop("__metadata__", {})
    if not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values()):
        raise ModelError("__metadata__ must map strings to strings")
    spans = []
    for name, info in header.items():
        if not isinstance(info, dict) or set(info) != {"dtype", "shape", "data_offsets"}:
            raise ModelError(f"tensor {name!r} must have exactly dtype, shape and data_offsets")
        dtype, shape, offsets = info["dtype"], info["shape"], info["data_offsets"]
        if dtype not in DTYPE_SIZES:
            raise ModelError(f"tensor {name!r} has unknown dtype {dtype!r}")
        if not isinstance(shape, list) or not all(_count(d) for d in shape):
            raise ModelError(f"tensor {name!r} has a shape that is not a list of counts")
        if not isinstance(offsets, list) or len(offsets) != 2 or not all(_count(o) for o in offsets):
            raise ModelError(f"tensor {name!r} needs data_offsets [begin, end]")
        begin, end = offsets
        if end < begin:
            raise ModelError(f"tensor {name!r} ends before it begins")
        size = DTYPE_SIZES[dtype]
        for d in shape:
            size *= d
        if end - begin != size:
            raise ModelError(f"tensor {name!r} spans {end - begin} bytes, its shape needs {size}")
        spans.append((begin, end, name))
    at = 0
    for begin, end, name in sorted(spans):
        if begin != at:
            raise ModelError(f"tensor {name!r} begins at {begin}, expected {at}: a hole or overlap")
        at = end
    if at != len(body):
        raise ModelError(f"the tensors end at byte {at} of a {len(body)}-byte data section")
    tensors = {name: (info["dtype"], tuple(info["shape"]),
                      body[info["data_offsets"][0]:info["data_offsets"][1]])
               for name, info in header.items()}
    return metadata, tensors


def _count(v):
    return isinstance(v, int) and not isinstance(v, bool) and 0 <= v < 2**63


def write_safetensors(path, tensors, metadata=None):
    """Writes {name: numpy array} (I8, I32 or I64) as .safetensors, tensors in name order."""
    kinds = {np.dtype("int8"): "I8", np.dtype("int32"): "I32", np.dtype("int64"): "I64"}
    header, chunks, at = {}, [], 0
    if metadata:
        header["__metadata__"] = dict(metadata)
    for name in sorted(tensors):
        a = np.asarray(tensors[name])  # not ascontiguousarray, which makes a scalar 1-D
        raw = a.astype(a.dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": kinds[a.dtype], "shape": list(a.shape),
                        "data_offsets": [at, at + len(raw)]}
        chunks.append(raw)
        at += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    Path(path).write_bytes(struct.pack("<Q", len(text)) + text + b"".join(chunks))


# ---------------------------------------------------------------- the model

LAYER_TENSORS = {
    # name: (dtype, shape kind)
    "weight": ("I8", "out x in"),
    "bias": ("I32", "out"),
    "multiplier": ("I32", "1 or out"),
    "shift": ("I32", "1 or out"),
    "input_zero_point": ("I32", "scalar"),
    "output_zero_point": ("I32", "scalar"),
    "activation": ("I32", "scalar"),
}
NAME = re.compile(r"layers\.(0|[1-9][0-9]*)\.([a-z_]+)")


class Layer:
    """One fully connected layer, as int64 NumPy arrays."""

    def __init__(self, index, t):
        self.index = index
        self.weight = t["weight"]  # [out, in]
        self.out_features, self.in_features = self.weight.shape
        self.bias = t["bias"]
        self.multiplier = np.broadcast_to(t["multiplier"], (self.out_features,))
        self.shift = np.broadcast_to(t["shift"], (self.out_features,))
        self.input_zero_point = int(t["input_zero_point"])
        self.output_zero_point = int(t["output_zero_point"])
        self.relu = int(t["activation"]) == 1


def load_model(data):
    """The layers of a model file (bytes), after every check of docs/attestation.md."""
    _, tensors = read_safetensors(data)
    per_layer = {}
    for name, (dtype, shape, raw) in tensors.items():
        m = NAME.fullmatch(name)
        if not m or m.group(2) not in LAYER_TENSORS:
            raise ModelError(f"unknown tensor {name!r}")
        layer, field = int(m.group(1)), m.group(2)
        if layer >= MAX_LAYERS:
            raise ModelError(f"tensor {name!r}: at most {MAX_LAYERS} layers")
        want = LAYER_TENSORS[field][0]
        if dtype != want:
            raise ModelError(f"tensor {name!r} is {dtype}, must be {want}")
        per_layer.setdefault(layer, {})[field] = np.frombuffer(
            raw, NUMPY_DTYPES[dtype]).astype(np.int64).reshape(shape)
    if not per_layer:
        raise ModelError("the file holds no layers")
    count = max(per_layer) + 1
    layers = []
    for l in range(count):
        t = per_layer.get(l, {})
        for field in LAYER_TENSORS:
            if field not in t:
                raise ModelError(f"tensor 'layers.{l}.{field}' is missing")
        layers.append(_check_layer(l, t))
    for l in range(1, count):
        prev, cur = layers[l - 1], layers[l]
        if cur.in_features != prev.out_features:
            raise ModelError(f"layer {l} takes {cur.in_features} features, layer {l - 1} gives "
                             f"{prev.out_features}")
        if cur.input_zero_point != prev.output_zero_point:
            raise ModelError(f"layer {l}'s input zero point {cur.input_zero_point} is not layer "
                             f"{l - 1}'s output zero point {prev.output_zero_point}")
    return layers


def _check_layer(l, t):
    p = f"layers.{l}."
    w = t["weight"]
    if w.ndim != 2 or w.shape[0] == 0 or w.shape[1] == 0:
        raise ModelError(f"{p}weight must be [out, in], both at least 1")
    out, inner = w.shape
    if inner > MAX_INNER:
        raise ModelError(f"{p}weight has {inner} inputs, more than {MAX_INNER}")
    if w.min() < -127:
        raise ModelError(f"{p}weight holds -128; int8 weights are symmetric, in -127..127")
    if t["bias"].shape != (out,):
        raise ModelError(f"{p}bias must be [{out}]")
    for f in ("multiplier", "shift"):
        if t[f].shape not in ((1,), (out,)):
            raise ModelError(f"{p}{f} must be [1] or [{out}]")
    if t["multiplier"].shape != t["shift"].shape:
        raise ModelError(f"{p}multiplier and {p}shift must have the same shape")
    for f in ("input_zero_point", "output_zero_point", "activation"):
        if t[f].shape != ():
            raise ModelError(f"{p}{f} must be a scalar (shape [])")
    if t["multiplier"].min() < 2**30:
        raise ModelError(f"{p}multiplier must be in [2^30, 2^31 - 1]")
    if t["shift"].min() < -31 or t["shift"].max() > 30:
        raise ModelError(f"{p}shift must be in -31..30")
    for f in ("input_zero_point", "output_zero_point"):
        if not -128 <= int(t[f]) <= 127:
            raise ModelError(f"{p}{f} must be in -128..127")
    if int(t["activation"]) not in (0, 1):
        raise ModelError(f"{p}activation must be 0 (none) or 1 (relu)")
    # The accumulator bound: |acc| <= |bias| + 255 * sum |w|, and the left shift must keep it
    # in int32, so that the int32 arithmetic of any implementation never wraps.
    bound = np.abs(t["bias"]) + 255 * np.abs(w).sum(axis=1)
    left = np.maximum(np.broadcast_to(t["shift"], (out,)), 0)
    scaled = [int(b) << int(s) for b, s in zip(bound, left)]
    worst = max(range(out), key=lambda j: scaled[j])
    if scaled[worst] > INT32_MAX:
        raise ModelError(f"{p}: output channel {worst}'s accumulator can reach {scaled[worst]} "
                         f"after its left shift, beyond int32")
    return Layer(l, t)


# ---------------------------------------------------------------- the arithmetic

def _truncating_div(x, d):
    """x / d rounded toward zero, as C and Java divide."""
    return np.where(x >= 0, x // d, -((-x) // d))


def saturating_rounding_doubling_high_mul(a, b):
    """gemmlowp's SaturatingRoundingDoublingHighMul on int64 arrays holding int32 values.

    Written as gemmlowp writes it (a nudge, then a division toward zero), which rounds ties
    toward plus infinity: -0.5 -> 0, 0.5 -> 1.
    """
    ab = a * b
    nudge = np.where(ab >= 0, 1 << 30, 1 - (1 << 30))
    high = _truncating_div(ab + nudge, 1 << 31)
    return np.where((a == b) & (a == INT32_MIN), INT32_MAX, high)


def rounding_divide_by_pot(x, exponent):
    """gemmlowp's RoundingDivideByPOT: x / 2^exponent, ties away from zero."""
    mask = (np.int64(1) << exponent) - 1
    remainder = x & mask
    threshold = (mask >> 1) + (x < 0)
    return (x >> exponent) + (remainder > threshold)


def multiply_by_quantized_multiplier(x, multiplier, shift):
    """TFLite's MultiplyByQuantizedMultiplier (the double-rounding form)."""
    left = np.maximum(shift, 0)
    right = np.maximum(-shift, 0)
    return rounding_divide_by_pot(
        saturating_rounding_doubling_high_mul(x * (np.int64(1) << left), multiplier), right)


def requantize(acc, multiplier, shift, output_zero_point, relu):
    """(MultiplyByQuantizedMultiplier, the int8 output) of int64 arrays of int32 accumulators."""
    scaled = multiply_by_quantized_multiplier(acc, multiplier, shift)
    low = np.where(relu, np.maximum(-128, output_zero_point), -128)
    return scaled, np.clip(scaled + output_zero_point, low, 127)


def forward(layers, x):
    """[(accumulators int32, outputs int8)] of every layer for an int8 batch x [batch, in]."""
    if x.ndim != 2 or x.dtype != np.int8:
        raise ModelError("the input must be a 2-D int8 array, batch x features")
    if x.shape[1] != layers[0].in_features:
        raise ModelError(f"the input has {x.shape[1]} features, layer 0 takes "
                         f"{layers[0].in_features}")
    results = []
    act = x.astype(np.int64)
    for layer in layers:
        acc = (act - layer.input_zero_point) @ layer.weight.T + layer.bias
        assert acc.min() >= INT32_MIN and acc.max() <= INT32_MAX
        _, out = requantize(acc, layer.multiplier, layer.shift, layer.output_zero_point,
                            layer.relu)
        results.append((acc.astype(np.int32), out.astype(np.int8)))
        act = out
    return results


# ---------------------------------------------------------------- the model root

LAYOUT_ROWS, LAYOUT_COLUMNS = 1, 2
ELEMENT_INT8, ELEMENT_INT32 = 1, 2


def merkle_root(items):
    """RFC 6962 / CometBFT HashFromByteSlices over items (at least one)."""
    if len(items) == 1:
        return hashlib.sha256(b"\x00" + items[0]).digest()
    split = 1 << ((len(items) - 1).bit_length() - 1)
    return hashlib.sha256(b"\x01" + merkle_root(items[:split]) + merkle_root(items[split:])).digest()


def tensor_commitment(dtype, shape, raw):
    """(layout, element type, rows, cols, root) of one tensor, as docs/attestation.md defines."""
    if dtype == "I8":  # a weight [out, in]: the columns of B = weight^T, one per output channel
        out, inner = shape
        head = (LAYOUT_COLUMNS, ELEMENT_INT8, inner, out)
        vectors = [raw[j * inner:(j + 1) * inner] for j in range(out)]
    else:  # an int32 vector [n] or scalar []: an n x 1 (1 x 1) matrix by rows
        n = shape[0] if shape else 1
        head = (LAYOUT_ROWS, ELEMENT_INT32, n, 1)
        vectors = [raw[4 * i:4 * i + 4] for i in range(n)]
    items = [struct.pack(">BBIII", *head, v) + vec for v, vec in enumerate(vectors)]
    return head + (merkle_root(items),)


def model_root(data):
    """The 32-byte root over every tensor of a (valid) model file, in name order."""
    load_model(data)
    _, tensors = read_safetensors(data)
    items = []
    for name in sorted(tensors, key=lambda s: s.encode()):
        layout, element, rows, cols, root = tensor_commitment(*tensors[name])
        encoded = name.encode()
        items.append(struct.pack(">H", len(encoded)) + encoded
                     + struct.pack(">BBII", layout, element, rows, cols) + root)
    return merkle_root(items)


# ---------------------------------------------------------------- commands

def run(model_path, input_path, out_path):
    data = Path(model_path).read_bytes()
    layers = load_model(data)
    x = np.load(input_path, allow_pickle=False)
    results = forward(layers, x)
    tensors = {}
    for l, (acc, out) in enumerate(results):
        tensors[f"layers.{l}.accumulators"] = acc
        tensors[f"layers.{l}.outputs"] = out
    write_safetensors(out_path, tensors, {"model_root": model_root(data).hex()})


def requantize_file(in_path, out_path):
    _, tensors = read_safetensors(Path(in_path).read_bytes())
    v = {name: np.frombuffer(raw, "<i4").astype(np.int64)
         for name, (dtype, shape, raw) in tensors.items()}
    acc, multiplier, shift = v["accumulators"], v["multipliers"], v["shifts"]
    if multiplier.min() < 2**30 or shift.min() < -31 or shift.max() > 30:
        raise ModelError("a multiplier or shift is out of range")
    widened = acc << np.maximum(shift, 0)
    if np.any(widened < INT32_MIN) or np.any(widened > INT32_MAX):
        raise ModelError("an accumulator leaves int32 under its left shift")
    scaled, out = requantize(acc, multiplier, shift, v["output_zero_points"],
                             v["activations"] == 1)
    write_safetensors(out_path, {"scaled": scaled.astype(np.int32),
                                 "outputs": out.astype(np.int8)})


def cases(directory):
    directory = Path(directory)
    for model in sorted(directory.glob("*.model.safetensors")):
        case = model.name[: -len(".model.safetensors")]
        error = directory / f"{case}.error.txt"
        try:
            run(model, directory / f"{case}.input.npy", directory / f"{case}.result.safetensors")
        except ModelError as e:
            error.write_text(str(e) + "\n")


def accuracy(model_path, images_path, labels_path):
    layers = load_model(Path(model_path).read_bytes())
    images = np.load(images_path, allow_pickle=False)
    labels = np.load(labels_path, allow_pickle=False)
    logits = forward(layers, images)[-1][1]
    predictions = logits.argmax(axis=1)
    right = int((predictions == labels).sum())
    print(f"{right}/{len(labels)} correct ({100.0 * right / len(labels):.2f}%)")
    print("predictions " + "".join(str(int(p)) for p in predictions))


def main(argv):
    try:
        if len(argv) == 3 and argv[1] == "root":
            print(model_root(Path(argv[2]).read_bytes()).hex())
        elif len(argv) == 5 and argv[1] == "run":
            run(argv[2], argv[3], argv[4])
        elif len(argv) == 3 and argv[1] == "cases":
            cases(argv[2])
        elif len(argv) == 4 and argv[1] == "requantize":
            requantize_file(argv[2], argv[3])
        elif len(argv) == 5 and argv[1] == "accuracy":
            accuracy(argv[2], argv[3], argv[4])
        else:
            print(__doc__, file=sys.stderr)
            return 2
    except ModelError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
