package io.ifpin.rules;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class HostNamesTest {
    private static final byte[] DOC_ADDRESS = {(byte) 192, 0, 2, 1};

    @Test
    void literalHasNoName() throws Exception {
        assertNull(HostNames.requestedName(InetAddress.getByAddress(DOC_ADDRESS)));
        // getByName of a literal does no DNS and records no name either
        assertNull(HostNames.requestedName(InetAddress.getByName("192.0.2.1")));
        assertNull(HostNames.requestedName(InetAddress.getByName("2001:db8::1")));
    }

    @Test
    void namedAddressKeepsTheNameAsGiven() throws Exception {
        assertEquals("api.corp.example",
                HostNames.requestedName(InetAddress.getByAddress("api.corp.example", DOC_ADDRESS)));
        assertEquals("API.corp.example.",
                HostNames.requestedName(InetAddress.getByAddress("API.corp.example.", DOC_ADDRESS)));
    }

    @Test
    void ipv6WithNameAndScope() throws Exception {
        InetAddress address = java.net.Inet6Address.getByAddress("db.corp.example",
                InetAddress.getByName("fe80::1").getAddress(), 3);
        assertEquals("db.corp.example", HostNames.requestedName(address));
    }
}
