package io.ifpin.rules;

import org.junit.jupiter.api.Test;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Surefire opens java.net as the agent does for itself, so the direct reads are what these tests exercise. */
class InetAddressFieldsTest {

    @Test
    void fieldsAreReadableWhereTheAgentRuns() {
        // If a JDK renames the fields this fails here, instead of ifpin silently falling back to the copies.
        assertTrue(InetAddressFields.direct(), "InetAddress.holder.hostName or Inet6Address.holder6.ipaddress"
                + " is not readable on Java " + Runtime.version());
    }

    @Test
    void sameAnswersAsThePublicMethods() throws Exception {
        byte[] v4 = {(byte) 192, 0, 2, 1};
        byte[] v6 = InetAddress.getByName("2001:db8::1").getAddress();
        List<InetAddress> addresses = List.of(
                InetAddress.getByAddress(v4), InetAddress.getByAddress("api.corp.example", v4),
                InetAddress.getByAddress("", v4), InetAddress.getByAddress("API.Corp.Example.", v6),
                InetAddress.getByAddress(v6), Inet6Address.getByAddress("x.example", CidrTest.mapped(192, 0, 2, 1)
                        .getAddress(), -1), CidrTest.mapped(192, 0, 2, 1), InetAddress.getByName("192.0.2.7"));
        for (InetAddress address : addresses) {
            assertEquals(InetAddressFields.hostNameFromText(address), InetAddressFields.hostName(address),
                    address.toString());
            if (address instanceof Inet6Address) {
                assertArrayEquals(address.getAddress(), InetAddressFields.ipv6Bytes((Inet6Address) address),
                        address.toString());
            }
        }
    }
}
