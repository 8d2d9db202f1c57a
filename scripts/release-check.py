"""Checks a release directory as scripts/release.sh writes it (see docs/releasing.md).

    release-check.py DIST_DIR [PUBLIC_KEY]

- SHA256SUMS lists every zip of the directory and the manifest, nothing else, and each sum is right;
- the signature of SHA256SUMS verifies with PUBLIC_KEY (default: the release's signing-key.asc), in a
  keyring of its own;
- the manifest says protocol 6.0;
- each zip holds exactly one regular file, terraform-provider-scs_vVERSION (.exe on Windows), mode 0755;
- that file is an executable for the zip's platform: ELF x86-64 / AArch64 for linux, Mach-O x86_64 /
  arm64 for darwin with a minimum macOS of 11.0 at most, an ad-hoc or real code signature on arm64
  (macOS runs no unsigned arm64 code), PE32+ x86-64 console program for windows.

Prints one line per zip and exits 1 on the first problem. Reads only the files: runs on any machine.
"""

import hashlib
import json
import os
import struct
import subprocess
import sys
import tempfile
import zipfile

NAME = "terraform-provider-scs"
MACOS_MIN = (11, 0)


class Bad(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Bad(msg)


def elf(data, arch):
    check(data[:4] == b"\x7fELF", "not an ELF file")
    check(data[4] == 2 and data[5] == 1, "not a 64-bit little-endian ELF file")
    e_type, e_machine = struct.unpack_from("<HH", data, 16)
    want = {"amd64": (0x3E, "x86-64"), "arm64": (0xB7, "AArch64")}[arch]
    check(e_machine == want[0], f"ELF machine {e_machine:#x}, not {want[1]}")
    check(e_type in (2, 3), f"ELF type {e_type} is not an executable")
    return f"ELF 64-bit {want[1]}"


def macho(data, arch):
    check(data[:4] == b"\xcf\xfa\xed\xfe", "not a 64-bit little-endian Mach-O file")
    cputype, _sub, filetype, ncmds, _size, _flags = struct.unpack_from("<iiIIII", data, 4)
    want = {"amd64": (0x01000007, "x86_64"), "arm64": (0x0100000C, "arm64")}[arch]
    check(cputype == want[0], f"Mach-O CPU type {cputype:#x}, not {want[1]}")
    check(filetype == 2, f"Mach-O file type {filetype} is not MH_EXECUTE")
    minos, signed, off = None, False, 32
    for _ in range(ncmds):
        cmd, size = struct.unpack_from("<II", data, off)
        if cmd == 0x32:  # LC_BUILD_VERSION: platform, minos, sdk
            platform, version = struct.unpack_from("<II", data, off + 8)
            check(platform == 1, f"LC_BUILD_VERSION platform {platform} is not macOS")
            minos = (version >> 16, (version >> 8) & 0xFF, version & 0xFF)
        elif cmd == 0x24:  # LC_VERSION_MIN_MACOSX
            (version,) = struct.unpack_from("<I", data, off + 8)
            minos = (version >> 16, (version >> 8) & 0xFF, version & 0xFF)
        elif cmd == 0x1D:  # LC_CODE_SIGNATURE
            signed = True
        off += size
    check(minos is not None, "no LC_BUILD_VERSION or LC_VERSION_MIN_MACOSX: minimum macOS unknown")
    check(minos[:2] <= MACOS_MIN,
          f"needs macOS {'.'.join(map(str, minos))}, more than {'.'.join(map(str, MACOS_MIN))}")
    check(signed or arch != "arm64", "arm64 Mach-O without a code signature: macOS will not run it")
    return (f"Mach-O 64-bit {want[1]} executable, minimum macOS {'.'.join(map(str, minos))}"
            + (", code signature" if signed else ""))


def pe(data, arch):
    check(data[:2] == b"MZ", "not a PE file (no MZ header)")
    (pe_off,) = struct.unpack_from("<I", data, 0x3C)
    check(data[pe_off:pe_off + 4] == b"PE\0\0", "no PE signature")
    machine, _nsec, _ts, _sym, _nsym, opt_size, chars = struct.unpack_from("<HHIIIHH", data, pe_off + 4)
    want = {"amd64": (0x8664, "x86-64")}[arch]
    check(machine == want[0], f"PE machine {machine:#x}, not {want[1]}")
    check(chars & 0x2, "PE file is not marked executable")
    opt = pe_off + 24
    (magic,) = struct.unpack_from("<H", data, opt)
    check(magic == 0x20B, f"optional header magic {magic:#x}: not PE32+")
    (subsystem,) = struct.unpack_from("<H", data, opt + 68)
    check(subsystem == 3, f"PE subsystem {subsystem}: not a console program")
    return f"PE32+ executable (console) {want[1]}"


FORMATS = {"linux": elf, "darwin": macho, "windows": pe}


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def main(dist, key=None):
    dist = os.path.abspath(dist)
    found = [f[len(NAME) + 1:-len("_SHA256SUMS")] for f in os.listdir(dist)
             if f.startswith(NAME + "_") and f.endswith("_SHA256SUMS")]
    check(len(found) == 1, f"{dist} holds {len(found)} {NAME}_VERSION_SHA256SUMS files, not one")
    version = found[0]
    prefix = f"{NAME}_{version}_"
    sums_path = os.path.join(dist, prefix + "SHA256SUMS")
    manifest = prefix + "manifest.json"
    zips = sorted(f for f in os.listdir(dist) if f.startswith(prefix) and f.endswith(".zip"))
    check(zips, f"{dist} holds no {prefix}*.zip")

    sums = {}
    with open(sums_path) as f:
        for line in f:
            digest, _, name = line.rstrip("\n").partition("  ")
            sums[name] = digest
    check(set(sums) == set(zips) | {manifest},
          f"SHA256SUMS lists {sorted(sums)}, the directory has {zips + [manifest]}")
    for name, digest in sums.items():
        check(sha256(os.path.join(dist, name)) == digest, f"{name}: SHA-256 differs from SHA256SUMS")

    key = key or os.path.join(dist, prefix + "signing-key.asc")
    with tempfile.TemporaryDirectory() as home:
        env = dict(os.environ, GNUPGHOME=home)
        subprocess.run(["gpg", "--batch", "--quiet", "--import", key], env=env, check=True,
                       capture_output=True)
        verify = subprocess.run(["gpg", "--batch", "--verify", sums_path + ".sig", sums_path],
                                env=env, capture_output=True, text=True)
        subprocess.run(["gpgconf", "--homedir", home, "--kill", "all"], env=env, capture_output=True)
    check(verify.returncode == 0, f"signature of SHA256SUMS does not verify:\n{verify.stderr}")
    signer = next((line.split("Good signature from ", 1)[1] for line in verify.stderr.splitlines()
                   if "Good signature from " in line), "?")
    print(f"SHA256SUMS: {len(sums)} files, every sum right; signature good from {signer}")

    with open(os.path.join(dist, manifest)) as f:
        doc = json.load(f)
    check(doc == {"version": 1, "metadata": {"protocol_versions": ["6.0"]}},
          f"{manifest} is {doc}")

    for z in zips:
        os_, _, arch = z[len(prefix):-len(".zip")].partition("_")
        check(os_ in FORMATS, f"{z}: unknown os {os_}")
        inner = f"{NAME}_v{version}" + (".exe" if os_ == "windows" else "")
        with zipfile.ZipFile(os.path.join(dist, z)) as archive:
            entries = archive.infolist()
            check([e.filename for e in entries] == [inner],
                  f"{z} holds {[e.filename for e in entries]}, not exactly {inner}")
            mode = entries[0].external_attr >> 16
            check(mode == 0o100755, f"{z}: {inner} has mode {mode:o}, not 100755")
            data = archive.read(inner)
        try:
            what = FORMATS[os_](data, arch)
        except (KeyError, struct.error) as e:
            raise Bad(f"{z}: cannot read {inner} as {os_}/{arch}: {e!r}") from e
        except Bad as e:
            raise Bad(f"{z}: {e}") from e
        print(f"{z}: {inner} (mode 0755, {len(data)} bytes): {what}")


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    try:
        main(*sys.argv[1:])
    except Bad as e:
        print(f"release-check: {e}", file=sys.stderr)
        sys.exit(1)
