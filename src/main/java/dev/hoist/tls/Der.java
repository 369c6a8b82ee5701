package dev.hoist.tls;

import java.io.ByteArrayOutputStream;

/**
 * Just enough DER to wrap the older key forms (PKCS#1 RSA, SEC1 EC) into PKCS#8, which Java's key
 * factories read (RFC 5208, RFC 5915).
 */
final class Der {
  private static final byte[] RSA_ALGORITHM = {
    0x30,
    0x0d,
    0x06,
    0x09,
    0x2a,
    (byte) 0x86,
    0x48,
    (byte) 0x86,
    (byte) 0xf7,
    0x0d,
    0x01,
    0x01,
    0x01,
    0x05,
    0x00
  };
  private static final byte[] EC_PUBLIC_KEY_OID = {
    0x06, 0x07, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01
  };
  private static final byte[] VERSION_0 = {0x02, 0x01, 0x00};

  private Der() {}

  static byte[] rsaToPkcs8(byte[] pkcs1) {
    return sequence(VERSION_0, RSA_ALGORITHM, tlv(0x04, pkcs1));
  }

  /** The curve's OID is the SEC1 key's {@code [0] parameters}. */
  static byte[] ecToPkcs8(byte[] sec1) {
    byte[] curve = curveOid(sec1);
    return sequence(VERSION_0, sequence(EC_PUBLIC_KEY_OID, curve), tlv(0x04, sec1));
  }

  /** Finds {@code [0] { OID }} among the top-level SEQUENCE's elements. */
  private static byte[] curveOid(byte[] sec1) {
    int[] outer = header(sec1, 0);
    int pos = outer[0];
    int end = pos + outer[1];
    while (pos < end) {
      int tag = sec1[pos] & 0xff;
      int[] h = header(sec1, pos);
      if (tag == 0xa0) {
        int[] inner = header(sec1, h[0]);
        int start = h[0];
        int length = inner[0] - start + inner[1];
        byte[] oid = new byte[length];
        System.arraycopy(sec1, start, oid, 0, length);
        return oid;
      }
      pos = h[0] + h[1];
    }
    throw new IllegalArgumentException("the EC key does not name its curve");
  }

  /** {content start, content length} of the element at {@code pos}. */
  private static int[] header(byte[] der, int pos) {
    int lengthByte = der[pos + 1] & 0xff;
    if (lengthByte < 0x80) {
      return new int[] {pos + 2, lengthByte};
    }
    int count = lengthByte & 0x7f;
    if (count > 3) {
      throw new IllegalArgumentException("DER length too long");
    }
    int length = 0;
    for (int i = 0; i < count; i++) {
      length = (length << 8) | (der[pos + 2 + i] & 0xff);
    }
    return new int[] {pos + 2 + count, length};
  }

  private static byte[] sequence(byte[]... parts) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      body.writeBytes(p);
    }
    return tlv(0x30, body.toByteArray());
  }

  private static byte[] tlv(int tag, byte[] content) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(tag);
    int n = content.length;
    if (n < 0x80) {
      out.write(n);
    } else if (n < 0x100) {
      out.write(0x81);
      out.write(n);
    } else if (n < 0x10000) {
      out.write(0x82);
      out.write(n >> 8);
      out.write(n & 0xff);
    } else {
      out.write(0x83);
      out.write(n >> 16);
      out.write((n >> 8) & 0xff);
      out.write(n & 0xff);
    }
    out.writeBytes(content);
    return out.toByteArray();
  }
}
