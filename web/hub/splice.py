"""One baseline JPEG spliced from separately encoded horizontal strips, with restart markers.

A picture cut into bands one MCU row high (16 px for 4:2:0) is encoded band by band
with simplejpeg; each band's entropy-coded scan data is kept, and the JPEG is the
first band's headers (its SOF0 given the full height), a DRI segment whose interval is
one MCU row, the SOS, then the bands' scan data with RST0..RST7 (cycling) between
them, and EOI. Why this decodes to the same pixels as one encode of the whole picture
(upstream sources read: jfolz/simplejpeg simplejpeg/_jpeg.pyx; libjpeg-turbo at commit
8a99315, src/; simplejpeg 1.9.0's wheel bundles libjpeg-turbo 3.1.2):

- simplejpeg.encode_jpeg is one tjCompress2 call, flags TJFLAG_FASTDCT only
  (_jpeg.pyx encode_jpeg). turbojpeg.c setCompDefaults (l. 366-415) runs
  jpeg_set_defaults and jpeg_set_quality(quality, TRUE); jcparam.c jpeg_set_defaults
  sets the standard Huffman tables (l. 210, std_huff_tables, jstdhuff.c),
  optimize_coding FALSE (l. 233), smoothing_factor 0 (l. 251), restart_interval 0
  (l. 257). So every strip has the same quality-derived DQT and the standard DHT.
  (libjpeg-turbo 2.x read TJ_OPTIMIZE / TJ_RESTART from the environment in
  setCompDefaults; 3.x does not.) Checked anyway at run time: `parse` refuses a JPEG
  with a DRI segment and web.hub.bands compares every strip's tables with the header's,
  falling back to a whole encode when they differ.
- Colour conversion is per pixel (jccolor.c). 4:2:0 chroma is h2v2_downsample
  (jcsample.c l. 265: the average of each 2x2 block, rows 2k and 2k+1 only);
  h2v2_smooth_downsample (l. 308), which reads the rows above and below, is chosen only
  when smoothing_factor is set (jinit_downsampler, l. 529). Bands start at multiples of
  16, so no sample of one MCU row depends on another's pixels.
- A short last band is padded as in a whole picture: jcprepct.c pre_process_data
  replicates the last real row to fill the row group (expand_bottom_edge, l. 175) and
  the last downsampled row to the MCU height (l. 202), so it is encoded at its true
  height, as it stands in the picture; the right edge is the same in both (same width:
  jcsample.c expand_right_edge).
- A restart resets the DC predictions (ITU T.81 F.1.1.5.1; jdhuff.c process_restart,
  l. 528) and a strip's scan ends padded to a byte with 1 bits (jchuff.c flush_bits,
  l. 470), as a scan does before a restart marker (emit_restart, l. 651): the decoder
  gets the coefficients of the whole encode, hence the same pixels.
"""

from __future__ import annotations

from dataclasses import dataclass

SOI = b"\xff\xd8"
EOI = b"\xff\xd9"
SOF0 = 0xC0
DRI = 0xDD
SOS = 0xDA
MCU_ROWS = 16  # 4:2:0: an MCU is 16x16 pixels


@dataclass(frozen=True)
class ParsedJpeg:
    """A simplejpeg JPEG in the parts the splice needs."""

    before_sof: bytes  # from after SOI to SOF0: APP0, DQT
    sof: bytes  # the SOF0 segment (marker included)
    after_sof: bytes  # from after SOF0 to SOS: DHT
    sos: bytes  # the SOS segment (marker included)
    scan: bytes  # the entropy-coded data, up to (without) EOI

    @property
    def tables(self) -> tuple[bytes, ...]:
        """What must be alike for strips to share one header: all but the height."""
        return self.before_sof, self.sof[:5] + self.sof[7:], self.after_sof, self.sos


def parse(jpeg: bytes) -> ParsedJpeg:
    """Cut a baseline JPEG without restart markers into its parts (ValueError otherwise)."""
    if not jpeg.startswith(SOI) or not jpeg.endswith(EOI):
        raise ValueError("not a whole JPEG")
    at = 2
    sof_at = sof_end = None
    while True:
        if jpeg[at] != 0xFF:
            raise ValueError(f"no marker at byte {at}")
        marker = jpeg[at + 1]
        end = at + 2 + int.from_bytes(jpeg[at + 2 : at + 4], "big")
        if marker == DRI:
            raise ValueError("the strip has restart markers of its own")
        if marker == SOF0:
            sof_at, sof_end = at, end
        elif 0xC1 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            raise ValueError(f"not a baseline JPEG (SOF{marker - 0xC0})")
        if marker == SOS:
            break
        at = end
    if sof_at is None:
        raise ValueError("no SOF0")
    return ParsedJpeg(
        jpeg[2:sof_at], jpeg[sof_at:sof_end], jpeg[sof_end:at], jpeg[at:end], jpeg[end:-2]
    )


def splice(header: ParsedJpeg, height: int, mcus_per_row: int, scans: list[bytes]) -> bytes:
    """One JPEG of `height` rows from `header`'s tables and the bands' `scans` (top
    first), a restart marker between each two."""
    sof = header.sof[:5] + height.to_bytes(2, "big") + header.sof[7:]
    dri = b"\xff\xdd\x00\x04" + mcus_per_row.to_bytes(2, "big")
    parts = [SOI, header.before_sof, sof, header.after_sof, dri, header.sos]
    for index, scan in enumerate(scans):
        if index:
            parts.append(bytes((0xFF, 0xD0 + (index - 1) % 8)))
        parts.append(scan)
    parts.append(EOI)
    return b"".join(parts)
