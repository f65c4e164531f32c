"""Prints what a PNG screenshot shows: "WIDTH HEIGHT COLOURS INKED", where COLOURS counts the
distinct pixel values (up to 1000) and INKED is the fraction of pixels that differ from the
top-left one (the page's background). Standard library only: 8-bit RGB or RGBA, not interlaced,
which is what Chromium writes."""
import struct
import sys
import zlib


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def rows(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise SystemExit("not a PNG")
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = header
    if depth != 8 or colour not in (2, 6) or interlace != 0:
        raise SystemExit("unsupported PNG: depth %d colour type %d" % (depth, colour))
    bpp = 3 if colour == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * bpp
    previous = bytearray(stride)
    out = []
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        for i in range(stride):
            left = line[i - bpp] if i >= bpp else 0
            up = previous[i]
            corner = previous[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + ((left + up) >> 1)) & 0xFF
            elif kind == 4:
                line[i] = (line[i] + paeth(left, up, corner)) & 0xFF
        out.append(bytes(line))
        previous = line
    return width, height, bpp, out


def main():
    width, height, bpp, lines = rows(sys.argv[1])
    background = lines[0][:bpp]
    colours, inked = set(), 0
    for line in lines:
        for x in range(0, len(line), bpp):
            pixel = line[x:x + bpp]
            if pixel != background:
                inked += 1
            if len(colours) < 1000:
                colours.add(pixel)
    print(width, height, len(colours), "%.4f" % (inked / float(width * height)))


main()
