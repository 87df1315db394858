package io.calicowebhook.tls;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/**
 * The few DER (ASN.1 distinguished encoding) elements an X.509 certificate is made of, written by
 * hand so that the service needs no library beyond the JDK to issue one. Each method returns one
 * complete element: tag, length, content.
 */
public final class DerEncoder {
  private static final DateTimeFormatter UTC_TIME =
      DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter GENERALIZED_TIME =
      DateTimeFormatter.ofPattern("yyyyMMddHHmmss'Z'").withZone(ZoneOffset.UTC);

  /** RFC 5280 4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050. */
  private static final Instant GENERALIZED_FROM = Instant.parse("2050-01-01T00:00:00Z");

  private DerEncoder() {}

  public static byte[] sequence(byte[]... parts) {
    return tagged(0x30, concat(parts));
  }

  public static byte[] set(byte[]... parts) {
    return tagged(0x31, concat(parts));
  }

  /** A context-specific constructed element {@code [n]}, as EXPLICIT tagging writes it. */
  public static byte[] explicit(int n, byte[] inner) {
    return tagged(0xa0 | n, inner);
  }

  /**
   * A context-specific primitive element {@code [n]}, as IMPLICIT tagging of a string writes it.
   */
  public static byte[] implicit(int n, byte[] content) {
    return tagged(0x80 | n, content);
  }

  public static byte[] integer(BigInteger value) {
    return tagged(0x02, value.toByteArray()); // two's complement, minimal: what DER asks
  }

  public static byte[] bool(boolean value) {
    return tagged(0x01, new byte[] {value ? (byte) 0xff : 0x00});
  }

  public static byte[] octets(byte[] content) {
    return tagged(0x04, content);
  }

  /** A BIT STRING of whole bytes (a signature, a key). */
  public static byte[] bits(byte[] content) {
    return bits(content, 0);
  }

  /** A BIT STRING whose last {@code unusedBits} bits are padding (a named bit list). */
  public static byte[] bits(byte[] content, int unusedBits) {
    byte[] withCount = new byte[content.length + 1];
    withCount[0] = (byte) unusedBits;
    System.arraycopy(content, 0, withCount, 1, content.length);
    return tagged(0x03, withCount);
  }

  public static byte[] utf8(String text) {
    return tagged(0x0c, text.getBytes(UTF_8));
  }

  /** An OBJECT IDENTIFIER from its dotted form, e.g. {@code 2.5.29.19}. */
  public static byte[] oid(String dotted) {
    String[] arcs = dotted.split("\\.");
    ByteArrayOutputStream content = new ByteArrayOutputStream();
    base128(content, Long.parseLong(arcs[0]) * 40 + Long.parseLong(arcs[1]));
    for (int i = 2; i < arcs.length; i++) {
      base128(content, Long.parseLong(arcs[i]));
    }
    return tagged(0x06, content.toByteArray());
  }

  /** A certificate's time: whole seconds, UTCTime before 2050 and GeneralizedTime after. */
  public static byte[] time(Instant instant) {
    Instant seconds = instant.truncatedTo(ChronoUnit.SECONDS);
    if (seconds.isBefore(GENERALIZED_FROM)) {
      return tagged(0x17, UTC_TIME.format(seconds).getBytes(US_ASCII));
    }
    return tagged(0x18, GENERALIZED_TIME.format(seconds).getBytes(US_ASCII));
  }

  private static void base128(ByteArrayOutputStream out, long value) {
    int groups = 1;
    for (long rest = value >>> 7; rest != 0; rest >>>= 7) {
      groups++;
    }
    for (int group = groups - 1; group >= 0; group--) {
      int septet = (int) ((value >>> (7 * group)) & 0x7f);
      out.write(group == 0 ? septet : septet | 0x80);
    }
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream content = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      content.writeBytes(part);
    }
    return content.toByteArray();
  }

  public static byte[] tagged(int tag, byte[] content) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + 6);
    out.write(tag);
    int length = content.length;
    if (length < 0x80) {
      out.write(length);
    } else {
      int bytes = (Integer.SIZE - Integer.numberOfLeadingZeros(length) + 7) / 8;
      out.write(0x80 | bytes);
      for (int shift = (bytes - 1) * 8; shift >= 0; shift -= 8) {
        out.write(length >>> shift);
      }
    }
    out.writeBytes(content);
    return out.toByteArray();
  }
}
