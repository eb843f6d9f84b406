"""MD5 of a file's bytes, for `onAttachment.fileMd5` (Genesys' schema requires it).

Pure Python because MicroPython's hashlib has only sha256 and browsers' WebCrypto has no MD5;
CPython and Pyodide use hashlib's. It is a checksum the service asks for, not a security measure.
"""
try:
    import hashlib
    _native = getattr(hashlib, "md5", None)
except ImportError:  # pragma: no cover - every interpreter we run has hashlib
    _native = None

_S = (7, 12, 17, 22) * 4 + (5, 9, 14, 20) * 4 + (4, 11, 16, 23) * 4 + (6, 10, 15, 21) * 4
_K = (
    0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
    0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
    0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
    0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
    0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
    0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
    0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
    0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
)
_M = 0xFFFFFFFF


def _pure(data):
    data = bytes(data)
    length = len(data)
    data = data + b"\x80" + b"\x00" * ((55 - length) % 64) + (length * 8 & 0xFFFFFFFFFFFFFFFF).to_bytes(8, "little")
    a0, b0, c0, d0 = 0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476
    for block in range(0, len(data), 64):
        m = [int.from_bytes(data[block + 4 * i:block + 4 * i + 4], "little") for i in range(16)]
        a, b, c, d = a0, b0, c0, d0
        for i in range(64):
            if i < 16:
                f = (b & c) | (~b & d)
                g = i
            elif i < 32:
                f = (d & b) | (~d & c)
                g = (5 * i + 1) % 16
            elif i < 48:
                f = b ^ c ^ d
                g = (3 * i + 5) % 16
            else:
                f = c ^ (b | (~d & _M))
                g = (7 * i) % 16
            f = (f + a + _K[i] + m[g]) & _M
            a, d, c = d, c, b
            s = _S[i]
            b = (b + (((f << s) | (f >> (32 - s))) & _M)) & _M
        a0, b0, c0, d0 = (a0 + a) & _M, (b0 + b) & _M, (c0 + c) & _M, (d0 + d) & _M
    return "".join(["%08x" % int.from_bytes(x.to_bytes(4, "little"), "big") for x in (a0, b0, c0, d0)])


# Pure-Python MD5 runs at about 100 KB a second on MicroPython (measured under Node): past this size
# the page would freeze, so the checksum is left out, as Genesys' own transport SDK always does.
PURE_LIMIT_BYTES = 256 * 1024


def can_hash(size):
    return _native is not None or size <= PURE_LIMIT_BYTES


def md5_hex(data):
    if _native is not None:
        return _native(bytes(data)).hexdigest()
    return _pure(data)
