/**
 * Tiny but valid media for the image and speech routes, so clients that decode what they get
 * (an image viewer, an audio player) do not choke.
 */

/** A 1x1 PNG (8-bit greyscale+alpha, transparent), base64. */
export const TINY_PNG_B64 =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';

/**
 * A short MP3: an empty ID3v2.4 tag, then one silent MPEG-1 Layer III frame (128 kb/s, 44.1 kHz:
 * 417 bytes; side information of zeros decodes as silence).
 */
export function silentMp3(): Buffer {
  const id3 = Buffer.from([0x49, 0x44, 0x33, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]);
  const frame = Buffer.alloc(417);
  frame[0] = 0xff;
  frame[1] = 0xfb; // MPEG-1, Layer III, no CRC
  frame[2] = 0x90; // 128 kb/s, 44.1 kHz, no padding
  frame[3] = 0x64; // joint stereo
  return Buffer.concat([id3, frame]);
}
