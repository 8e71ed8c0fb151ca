package io.ifpin.dns;

import org.junit.jupiter.api.Test;

import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The DNS codec on recorded bytes: compression, CNAME, truncation, NXDOMAIN, and malformed input. */
class DnsMessageTest {

    private static byte[] hex(String text) {
        return HexFormat.of().parseHex(text.replace(" ", ""));
    }

    /** www.example.com A, answered with CNAME example.com and example.com A 192.0.2.10, both names compressed. */
    private static final String CNAME_RESPONSE = "1234 8180 0001 0002 0000 0000"
            + " 03777777 076578616d706c65 03636f6d 00 0001 0001"
            + " c00c 0005 0001 00000e10 0002 c010"
            + " c010 0001 0001 0000003c 0004 c000020a";

    @Test
    void queryBytesAreTheStandardQuery() {
        assertArrayEquals(hex("1234 0100 0001 0000 0000 0000 03777777 076578616d706c65 03636f6d 00 001c 0001"),
                DnsMessage.query(0x1234, "www.example.com.", DnsMessage.TYPE_AAAA));
    }

    @Test
    void compressedCnameAndAddress() throws Exception {
        byte[] bytes = hex(CNAME_RESPONSE);
        DnsMessage.Response response = DnsMessage.parse(bytes, bytes.length);
        assertEquals(0x1234, response.id());
        assertEquals(DnsMessage.RCODE_NOERROR, response.rcode());
        assertEquals("www.example.com", response.question());
        List<DnsMessage.Answer> answers = response.answers();
        assertEquals(2, answers.size());
        assertEquals("example.com", answers.get(0).alias());
        assertEquals(3600, answers.get(0).ttlSeconds());
        assertEquals("example.com", answers.get(1).owner());
        assertEquals("192.0.2.10", answers.get(1).address().getHostAddress());
        assertEquals("example.com", DnsResolver.followChain("www.example.com", answers));
    }

    @Test
    void truncatedAndNxdomainFlags() throws Exception {
        byte[] truncated = hex("0001 8380 0001 0000 0000 0000 0161 00 0001 0001");
        assertTrue(DnsMessage.parse(truncated, truncated.length).truncated());
        byte[] nxdomain = hex("0001 8183 0001 0000 0000 0000 0161 00 0001 0001");
        assertEquals(DnsMessage.RCODE_NXDOMAIN, DnsMessage.parse(nxdomain, nxdomain.length).rcode());
    }

    @Test
    void malformedInputIsRefusedNotThrownUnchecked() {
        byte[] loop = hex("0001 8180 0001 0001 0000 0000 0161 00 0001 0001 c013 0001 0001 0000003c 0004 c0000201");
        assertThrows(DnsMessage.MalformedException.class, () -> DnsMessage.parse(loop, loop.length)); // 0x13 -> itself
        byte[] cut = hex(CNAME_RESPONSE);
        for (int length = 0; length < cut.length; length++) {
            int at = length;
            assertThrows(DnsMessage.MalformedException.class, () -> DnsMessage.parse(cut, at), "cut at " + at);
        }
        byte[] query = hex("1234 0100 0001 0000 0000 0000 0161 00 0001 0001");
        assertThrows(DnsMessage.MalformedException.class, () -> DnsMessage.parse(query, query.length));
    }

    @Test
    void namesThatAreNotDnsNamesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> DnsMessage.query(1, "a..example", DnsMessage.TYPE_A));
        assertThrows(IllegalArgumentException.class, () -> DnsMessage.query(1, "x".repeat(64) + ".example",
                DnsMessage.TYPE_A));
    }
}
