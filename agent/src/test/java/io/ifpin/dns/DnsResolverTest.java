package io.ifpin.dns;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The resolver against a scripted transport: families and order, CNAME, TCP after truncation, failures, retries. */
class DnsResolverTest {

    private static final DnsServer ONE = DnsServer.parse("192.0.2.53");
    private static final DnsServer TWO = DnsServer.parse("[2001:db8::53]:5353");

    /** Answers by "name type" key; records every exchange as "server tcp|udp name type". */
    private static class ScriptedTransport implements DnsTransport {
        final List<String> asked = new ArrayList<>();
        final Map<String, Reply> replies;
        final List<DnsServer> dead;

        ScriptedTransport(Map<String, Reply> replies, List<DnsServer> dead) {
            this.replies = replies;
            this.dead = dead;
        }

        @Override
        public byte[] exchange(DnsServer server, byte[] query, boolean tcp, int timeoutMillis) throws IOException {
            DnsMessage.Response q;
            try {
                byte[] asResponse = query.clone();
                asResponse[2] |= (byte) 0x80;
                q = DnsMessage.parse(asResponse, asResponse.length);
            } catch (DnsMessage.MalformedException e) {
                throw new AssertionError(e);
            }
            String key = q.question() + " " + (q.questionType() == DnsMessage.TYPE_A ? "A" : "AAAA");
            asked.add(server + " " + (tcp ? "tcp" : "udp") + " " + key);
            if (dead.contains(server)) {
                throw new SocketTimeoutException("timeout");
            }
            Reply reply = replies.getOrDefault(key, new Reply(0, false, List.of()));
            if (reply.truncatedOverUdp && !tcp) {
                return build(query, 0, true, List.of());
            }
            return build(query, reply.rcode, false, reply.records);
        }
    }

    private record Reply(int rcode, boolean truncatedOverUdp, List<Rr> records) {
    }

    /** A record; data is an address literal or a CNAME target. */
    private record Rr(String owner, int type, String data, int ttl) {
    }

    private static Rr rr(String owner, int type, String data) {
        return new Rr(owner, type, data, 60);
    }

    private static Rr rr(String owner, int type, String data, int ttl) {
        return new Rr(owner, type, data, ttl);
    }

    private static byte[] build(byte[] query, int rcode, boolean truncated, List<Rr> records) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(query, 0, query.length);
        for (Rr record : records) {
            out.writeBytes(DnsMessage.encodeName(record.owner()));
            int type = record.type();
            byte[] data;
            try {
                data = type == DnsMessage.TYPE_CNAME ? DnsMessage.encodeName(record.data())
                        : InetAddress.getByName(record.data()).getAddress();
            } catch (IOException e) {
                throw new AssertionError(e);
            }
            int ttl = record.ttl();
            out.writeBytes(new byte[]{0, (byte) type, 0, 1, (byte) (ttl >>> 24), (byte) (ttl >>> 16), (byte) (ttl >>> 8),
                    (byte) ttl, 0, (byte) data.length});
            out.writeBytes(data);
        }
        byte[] bytes = out.toByteArray();
        bytes[2] = (byte) (0x81 | (truncated ? 0x02 : 0));
        bytes[3] = (byte) (0x80 | rcode);
        bytes[7] = (byte) records.size();
        return bytes;
    }

    private static final DnsResolver.AddressFamilies BOTH = new DnsResolver.AddressFamilies(true, true, false);

    private static DnsResolver resolver(ScriptedTransport transport, DnsResolver.AddressFamilies families) {
        return new DnsResolver(List.of(ONE, TWO), transport, families, 100, 2);
    }

    private static List<String> literals(DnsResolver.Result result) {
        return result.addresses().stream().map(InetAddress::getHostAddress).toList();
    }

    @Test
    void aAndAaaaIpv4FirstByDefaultAndTheAnswersCarryTheAskedName() throws Exception {
        ScriptedTransport transport = new ScriptedTransport(Map.of(
                "db.corp.example A", new Reply(0, false, List.of(rr("db.corp.example", 1, "192.0.2.7"))),
                "db.corp.example AAAA", new Reply(0, false, List.of(rr("db.corp.example", 28, "2001:db8::7")))),
                List.of());
        DnsResolver.Result result = resolver(transport, BOTH).resolve("DB.corp.example");
        assertEquals(List.of("192.0.2.7", "2001:db8:0:0:0:0:0:7"), literals(result));
        assertEquals("DB.corp.example", result.addresses().get(0).getHostName(), "rules match on the asked name");
        assertEquals(List.of("192.0.2.53 udp db.corp.example A", "192.0.2.53 udp db.corp.example AAAA"),
                transport.asked);

        ScriptedTransport v6First = new ScriptedTransport(transport.replies, List.of());
        assertEquals(List.of("2001:db8:0:0:0:0:0:7", "192.0.2.7"), literals(resolver(v6First,
                new DnsResolver.AddressFamilies(true, true, true)).resolve("db.corp.example")));
        assertEquals("192.0.2.53 udp db.corp.example AAAA", v6First.asked.get(0));

        ScriptedTransport v4Only = new ScriptedTransport(transport.replies, List.of());
        assertEquals(List.of("192.0.2.7"), literals(resolver(v4Only, new DnsResolver.AddressFamilies(true, false,
                false)).resolve("db.corp.example")));
        assertEquals(1, v4Only.asked.size(), "preferIPv4Stack: no AAAA query");
    }

    @Test
    void cnameChainsAreFollowedInTheAnswerAndBeyondIt() throws Exception {
        ScriptedTransport transport = new ScriptedTransport(Map.of(
                "www.corp.example A", new Reply(0, false, List.of(rr("www.corp.example", 5, "lb.corp.example"),
                        rr("lb.corp.example", 5, "edge.corp.example"))),
                "edge.corp.example A", new Reply(0, false, List.of(rr("edge.corp.example", 1, "192.0.2.9")))),
                List.of());
        DnsResolver.Result result = resolver(transport, new DnsResolver.AddressFamilies(true, false, false))
                .resolve("www.corp.example");
        assertEquals(List.of("192.0.2.9"), literals(result));
        assertEquals(List.of("192.0.2.53 udp www.corp.example A", "192.0.2.53 udp edge.corp.example A"),
                transport.asked);
    }

    @Test
    void aAndAaaaGoToTheFirstServerInOneRoundTripAndACnamesTargetIsAskedAfter() throws Exception {
        List<String> together = new ArrayList<>();
        ScriptedTransport transport = new ScriptedTransport(Map.of(
                "www.corp.example A", new Reply(0, false, List.of(rr("www.corp.example", 5, "edge.corp.example"))),
                "www.corp.example AAAA", new Reply(0, false, List.of(rr("www.corp.example", 28, "2001:db8::9"))),
                "edge.corp.example A", new Reply(0, false, List.of(rr("edge.corp.example", 1, "192.0.2.9")))),
                List.of()) {
            @Override
            public byte[][] exchangeTogether(DnsServer server, byte[] first, byte[] second, int timeoutMillis)
                    throws IOException {
                together.add(server + " " + asked.size());
                return super.exchangeTogether(server, first, second, timeoutMillis);
            }
        };
        assertEquals(List.of("192.0.2.9", "2001:db8:0:0:0:0:0:9"), literals(resolver(transport, BOTH)
                .resolve("www.corp.example")));
        assertEquals(List.of("192.0.2.53 0"), together, "one exchange of both, before anything else");
        assertEquals(List.of("192.0.2.53 udp www.corp.example A", "192.0.2.53 udp www.corp.example AAAA",
                "192.0.2.53 udp edge.corp.example A"), transport.asked);
    }

    @Test
    void theAnswersTtlIsTheSmallestOfItsRecordsAlongTheChainAndBothFamilies() throws Exception {
        ScriptedTransport transport = new ScriptedTransport(Map.of(
                "www.corp.example A", new Reply(0, false, List.of(rr("www.corp.example", 5, "lb.corp.example", 7),
                        rr("lb.corp.example", 1, "192.0.2.9", 300), rr("other.corp.example", 1, "192.0.2.8", 1))),
                "www.corp.example AAAA", new Reply(0, false, List.of(rr("www.corp.example", 28, "2001:db8::9", 90))),
                "db.corp.example A", new Reply(0, false, List.of(rr("db.corp.example", 1, "192.0.2.7", 300))),
                "db.corp.example AAAA", new Reply(0, false, List.of(rr("db.corp.example", 28, "2001:db8::7", 20)))),
                List.of());
        assertEquals(7, resolver(transport, BOTH).resolve("www.corp.example").ttlSeconds(),
                "the CNAME's 7 s; a record off the chain (1 s) does not count");
        assertEquals(20, resolver(transport, BOTH).resolve("db.corp.example").ttlSeconds(), "A 300 s, AAAA 20 s");
        assertEquals(300, resolver(transport, new DnsResolver.AddressFamilies(true, false, false))
                .resolve("db.corp.example").ttlSeconds(), "no AAAA asked: its TTL does not count");
    }

    @Test
    void truncatedUdpIsAskedAgainOverTcp() throws Exception {
        ScriptedTransport transport = new ScriptedTransport(Map.of("big.corp.example A",
                new Reply(0, true, List.of(rr("big.corp.example", 1, "192.0.2.1")))), List.of());
        assertEquals(List.of("192.0.2.1"), literals(resolver(transport, new DnsResolver.AddressFamilies(true, false,
                false)).resolve("big.corp.example")));
        assertEquals(List.of("192.0.2.53 udp big.corp.example A", "192.0.2.53 tcp big.corp.example A"),
                transport.asked);
    }

    @Test
    void aDeadServerIsSkippedAndEveryServerIsTriedEachAttempt() throws Exception {
        ScriptedTransport oneDead = new ScriptedTransport(Map.of("a.corp.example A",
                new Reply(0, false, List.of(rr("a.corp.example", 1, "192.0.2.1")))), List.of(ONE));
        DnsResolver.Result result = resolver(oneDead, new DnsResolver.AddressFamilies(true, false, false))
                .resolve("a.corp.example");
        assertEquals("[2001:db8::53]:5353", result.answeredBy());

        ScriptedTransport allDead = new ScriptedTransport(Map.of(), List.of(ONE, TWO));
        DnsResolver.ServersFailedException e = assertThrows(DnsResolver.ServersFailedException.class,
                () -> resolver(allDead, BOTH).resolve("a.corp.example"));
        assertEquals(4, allDead.asked.size(), "2 attempts x 2 servers, then no AAAA: " + allDead.asked);
        assertEquals("192.0.2.53: no answer within 100 ms; [2001:db8::53]:5353: no answer within 100 ms",
                e.getMessage());
    }

    @Test
    void nxdomainEndsTheLookupAndServfailTriesTheNextServer() {
        ScriptedTransport nx = new ScriptedTransport(Map.of("gone.corp.example A", new Reply(3, false, List.of())),
                List.of());
        assertThrows(DnsResolver.NoSuchNameException.class, () -> resolver(nx, BOTH).resolve("gone.corp.example"));
        assertEquals(List.of("192.0.2.53 udp gone.corp.example A", "192.0.2.53 udp gone.corp.example AAAA"), nx.asked,
                "A and AAAA went together; NXDOMAIN is final: nothing is asked after it");
        ScriptedTransport nxV4 = new ScriptedTransport(nx.replies, List.of());
        assertThrows(DnsResolver.NoSuchNameException.class, () -> resolver(nxV4, new DnsResolver.AddressFamilies(true,
                false, false)).resolve("gone.corp.example"));
        assertEquals(1, nxV4.asked.size(), "NXDOMAIN is final: " + nxV4.asked);

        ScriptedTransport quirk = new ScriptedTransport(Map.of("a.corp.example A", new Reply(0, false,
                List.of(rr("a.corp.example", 1, "192.0.2.1"))), "a.corp.example AAAA", new Reply(3, false, List.of())),
                List.of());
        try {
            assertEquals(List.of("192.0.2.1"), literals(resolver(quirk, BOTH).resolve("a.corp.example")),
                    "NXDOMAIN for AAAA after an A answer keeps the A answer");
        } catch (Exception e) {
            throw new AssertionError(e);
        }

        ScriptedTransport servfail = new ScriptedTransport(Map.of("x.corp.example A", new Reply(2, false, List.of())),
                List.of());
        DnsResolver.ServersFailedException e = assertThrows(DnsResolver.ServersFailedException.class,
                () -> resolver(servfail, new DnsResolver.AddressFamilies(true, false, false)).resolve("x.corp.example"));
        assertTrue(e.getMessage().contains("192.0.2.53: rcode 2"), e.getMessage());
        assertEquals(4, servfail.asked.size());
    }
}
