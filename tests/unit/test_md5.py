"""fileMd5 for uploads: the pure-Python MD5 (MicroPython has none) matches RFC 1321's test suite.
Portable: CPython, MicroPython and Pyodide."""
from app.chat.md5 import _pure, md5_hex

RFC_1321 = (
    (b"", "d41d8cd98f00b204e9800998ecf8427e"),
    (b"a", "0cc175b9c0f1b6a831c399e269772661"),
    (b"abc", "900150983cd24fb0d6963f7d28e17f72"),
    (b"message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
    (b"abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"),
    (b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "d174ab98d277d9f5a5611c2c9f419d9f"),
    (b"1234567890" * 8, "57edf4a22be3c955ac49da2e2107b67a"),
)


def test_pure_md5_matches_the_rfc_1321_test_suite():
    for data, digest in RFC_1321:
        assert _pure(data) == digest, data


def test_md5_of_binary_and_block_boundaries():
    for size in (55, 56, 63, 64, 65, 127, 128, 1000):
        data = bytes([(i * 7 + 3) % 256 for i in range(size)])
        assert md5_hex(data) == _pure(data), size


def test_large_files_are_hashed_only_where_hashing_is_native():
    from app.chat import md5
    assert md5.can_hash(1000)
    assert md5.can_hash(10 * 1024 * 1024) == (md5._native is not None)
