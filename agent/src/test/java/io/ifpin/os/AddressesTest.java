package io.ifpin.os;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;

class AddressesTest {

    private static byte[] v6(String text) throws Exception {
        return InetAddress.getByName(text).getAddress(); // literals only: no DNS
    }

    @Test
    void formatsIpv4() throws Exception {
        assertEquals("192.0.2.1:80", Addresses.format(InetAddress.getByName("192.0.2.1"), 80));
    }

    @Test
    void formatsIpv6InRfc5952Form() throws Exception {
        assertEquals("[2001:db8:f::10]:7000", Addresses.format(v6("2001:db8:f:0:0:0:0:10"), 7000));
        assertEquals("[::]:0", Addresses.format(new byte[16], 0));
        assertEquals("[2001:db8::1:0:0:1]:1", Addresses.format(v6("2001:db8:0:0:1:0:0:1"), 1));
        assertEquals("[2001:db8:0:1:1:1:1:1]:1", Addresses.format(v6("2001:db8:0:1:1:1:1:1"), 1));
    }

    @Test
    void showsIpv4MappedAsIpv4() {
        byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, (byte) 192, 0, 2, 10};
        assertEquals("192.0.2.10:53", Addresses.format(mapped, 53));
    }

    @Test
    void textIsTheAddressAloneAsIpTakesIt() throws Exception {
        byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, (byte) 203, 0, 113, 10};
        assertEquals("203.0.113.10", Addresses.text(mapped));
        assertEquals("2001:db8:f::10", Addresses.text(InetAddress.getByName("2001:db8:f:0:0:0:0:10")));
        assertEquals("192.0.2.1", Addresses.text(InetAddress.getByName("192.0.2.1")));
        assertEquals(true, Addresses.isIpv4Mapped(mapped));
        assertEquals(false, Addresses.isIpv4Mapped(new byte[] {(byte) 192, 0, 2, 1}));
    }
}
