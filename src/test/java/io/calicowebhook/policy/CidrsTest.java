package io.calicowebhook.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** CIDRs are parsed by hand and written canonically (RFC 5952 for IPv6, prefix always present). */
class CidrsTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "1.2.3.4, 1.2.3.4/32, false",
    "10.0.0.0/8, 10.0.0.0/8, false",
    "0.0.0.0/0, 0.0.0.0/0, false",
    "255.255.255.255/32, 255.255.255.255/32, false",
    "10.1.2.3/8, 10.0.0.0/8, true",
    "192.168.1.129/25, 192.168.1.128/25, true",
    "1.2.3.4/0, 0.0.0.0/0, true",
    "::1, ::1/128, false",
    "::, ::/128, false",
    "::/0, ::/0, false",
    "2001:DB8::1, 2001:db8::1/128, false",
    "2001:0db8:0000:0000:0000:0000:0000:0001, 2001:db8::1/128, false",
    "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1/128, false",
    "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1/128, false",
    "2001:0:0:1:0:0:0:1, 2001:0:0:1::1/128, false",
    "1:2:3:4:5:6:7::, 1:2:3:4:5:6:7:0/128, false",
    "::2:3:4:5:6:7:8, 0:2:3:4:5:6:7:8/128, false",
    "::ffff:1.2.3.4, ::ffff:1.2.3.4/128, false",
    "::ffff:0102:0304, ::ffff:1.2.3.4/128, false",
    "64:ff9b::1.2.3.4, 64:ff9b::102:304/128, false",
    "1:2:3:4:5:6:1.2.3.4, 1:2:3:4:5:6:102:304/128, false",
    "2001:db8::/32, 2001:db8::/32, false",
    "fe80::1/10, fe80::/10, true",
    "2001:db8:abcd:12ff::/57, 2001:db8:abcd:1280::/57, true",
  })
  void writesCanonicalCidr(String text, String canonical, boolean hostBits) {
    Cidrs.Parsed parsed = Cidrs.parse(text);
    assertNull(parsed.problem());
    assertEquals(canonical, parsed.canonical());
    assertEquals(hostBits, parsed.hostBits());
    assertEquals(canonical, new Cidr(canonical).text(), "canonical text is accepted as is");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "010.0.0.1",
        "1.2.3",
        "1.2.3.4.5",
        "1..3.4",
        ".1.2.3",
        "1.2.3.256",
        "1.2.3.4/33",
        "1.2.3.4/",
        "1.2.3.4/08",
        "1.2.3.4/-1",
        "1.2.3.4/8/8",
        "::1/129",
        "1::2::3",
        "1:::2",
        "12345::",
        "g::1",
        "1:2:3:4:5:6:7:8:9",
        "1:2:3:4:5:6:7",
        "1:2:3:4:5:6:7:8::",
        ":1::",
        "::1:",
        "fe80::1%eth0",
        "foo",
        "example.com",
        "/8",
        "",
        "::1.2.3",
        "1.2.3.4::",
        "::1.2.3.4:1",
        "１.２.３.４",
        "١٢٣.1.1.1",
        "0x1.2.3.4",
        "1.2.3.4 ",
        "11111111111111111111111111111111111111111111111111111111111111111111.1.1.1",
      })
  void rejectsMalformedCidr(String text) {
    Cidrs.Parsed parsed = Cidrs.parse(text);
    assertNotNull(parsed.problem(), text);
    assertNull(parsed.canonical());
  }
}
