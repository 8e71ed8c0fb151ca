package io.ifpin.rules;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import static io.ifpin.rules.CidrTest.ip;
import static io.ifpin.rules.CidrTest.literal;
import static io.ifpin.rules.CidrTest.mapped;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RuleSetTest {
    private static final Set<Protocol> BOTH = EnumSet.allOf(Protocol.class);

    static Rule rule(String name, int index, String device, List<String> hosts, List<String> cidrs, PortSet ports,
                     Set<Protocol> protocols) {
        return Rule.named(name, index, "test.conf:" + (index + 1))
                .hosts(hosts.stream().map(HostPattern::parse).toList()).cidrs(cidrs.stream().map(Cidr::parse).toList())
                .ports(ports).protocols(protocols).pin(device);
    }

    static Rule cidrRule(String name, int index, String device, String... cidrs) {
        return rule(name, index, device, List.of(), List.of(cidrs), PortSet.ALL, BOTH);
    }

    @Test
    void firstMatchingRuleWins() throws Exception {
        Rule narrow = cidrRule("narrow", 0, "b0", "192.0.2.128/25");
        Rule wide = cidrRule("wide", 1, "b1", "192.0.2.0/24");
        RuleSet rules = RuleSet.of(List.of(narrow, wide));
        assertSame(narrow, rules.match(ip(192, 0, 2, 200), 80, Protocol.TCP));
        assertSame(wide, rules.match(ip(192, 0, 2, 100), 80, Protocol.TCP));
        assertNull(rules.match(ip(198, 51, 100, 1), 80, Protocol.TCP));

        RuleSet reversed = RuleSet.of(List.of(wide, narrow));
        assertSame(wide, reversed.match(ip(192, 0, 2, 200), 80, Protocol.TCP));
    }

    @Test
    void hostsOrCidrs() throws Exception {
        Rule both = rule("both", 0, "b0", List.of("*.corp.example"), List.of("198.51.100.0/24"), PortSet.ALL, BOTH);
        RuleSet rules = RuleSet.of(List.of(both));
        byte[] elsewhere = {(byte) 203, 0, 113, 9};
        assertSame(both, rules.match(InetAddress.getByAddress("db.corp.example", elsewhere), 5432, Protocol.TCP));
        assertSame(both, rules.match(ip(198, 51, 100, 7), 5432, Protocol.TCP));
        assertNull(rules.match(InetAddress.getByAddress("db.other.example", elsewhere), 5432, Protocol.TCP));
        // A connect by literal has no name: only cidrs can match it.
        assertNull(rules.match(InetAddress.getByAddress(elsewhere), 5432, Protocol.TCP));
    }

    @Test
    void hostNamesMatchOnIpv6Too() throws Exception {
        Rule hosts = rule("hosts", 0, "b0", List.of("api.corp.example"), List.of(), PortSet.ALL, BOTH);
        RuleSet rules = RuleSet.of(List.of(hosts));
        InetAddress v6 = InetAddress.getByAddress("API.corp.example.", literal("2001:db8::1").getAddress());
        assertSame(hosts, rules.match(v6, 443, Protocol.TCP));
        assertNull(rules.match(literal("2001:db8::1"), 443, Protocol.TCP));
    }

    @Test
    void portsFilter() throws Exception {
        PortSet ports = PortSet.of(List.of(PortSet.Range.single(7000), PortSet.Range.parse("8000-8099")));
        Rule storage = rule("storage", 0, "stor0", List.of(), List.of("192.0.2.0/24"), ports, BOTH);
        RuleSet rules = RuleSet.of(List.of(storage));
        assertSame(storage, rules.match(ip(192, 0, 2, 1), 7000, Protocol.TCP));
        assertSame(storage, rules.match(ip(192, 0, 2, 1), 8099, Protocol.UDP));
        assertNull(rules.match(ip(192, 0, 2, 1), 8100, Protocol.TCP));
        assertNull(rules.match(ip(192, 0, 2, 1), 443, Protocol.TCP));
    }

    @Test
    void protocolsFilterAndDefaultToBoth() throws Exception {
        Rule udpOnly = rule("dns", 0, "b0", List.of(), List.of("192.0.2.53"), PortSet.ALL, EnumSet.of(Protocol.UDP));
        Rule any = cidrRule("any", 1, "b1", "192.0.2.0/24");
        RuleSet rules = RuleSet.of(List.of(udpOnly, any));
        assertSame(udpOnly, rules.match(ip(192, 0, 2, 53), 53, Protocol.UDP));
        assertSame(any, rules.match(ip(192, 0, 2, 53), 53, Protocol.TCP));
        assertSame(any, rules.match(ip(192, 0, 2, 9), 53, Protocol.UDP));
    }

    @Test
    void mappedDestinationMatchesIpv4Rules() throws Exception {
        Rule v4 = cidrRule("v4", 0, "b0", "192.0.2.0/24");
        Rule v6 = cidrRule("v6", 1, "b1", "::/0");
        RuleSet rules = RuleSet.of(List.of(v6, v4));
        assertSame(v4, rules.match(mapped(192, 0, 2, 10), 80, Protocol.TCP));
        assertSame(v6, rules.match(literal("2001:db8::10"), 80, Protocol.TCP));
        assertNull(rules.match(mapped(198, 51, 100, 10), 80, Protocol.TCP));
    }

    @Test
    void everyDestination() throws Exception {
        Rule all = cidrRule("all", 0, "b0", "0.0.0.0/0", "::/0");
        RuleSet rules = RuleSet.of(List.of(all));
        assertSame(all, rules.match(ip(203, 0, 113, 1), 1, Protocol.UDP));
        assertSame(all, rules.match(literal("2001:db8::1"), 65535, Protocol.TCP));
        assertSame(all, rules.match(mapped(203, 0, 113, 1), 80, Protocol.TCP));
    }

    @Test
    void emptyRuleSet() throws Exception {
        RuleSet rules = RuleSet.of(List.of());
        assertTrue(rules.isEmpty());
        assertTrue(rules.interfaceNames().isEmpty());
        assertNull(rules.match(ip(192, 0, 2, 1), 80, Protocol.TCP));
    }

    @Test
    void interfaceNamesAreDistinctInRuleOrder() {
        RuleSet rules = RuleSet.of(List.of(cidrRule("a", 0, "tun0", "192.0.2.0/24"),
                cidrRule("b", 1, "stor0", "198.51.100.0/24"), cidrRule("c", 2, "tun0", "203.0.113.0/24")));
        assertFalse(rules.isEmpty());
        assertEquals(List.of("tun0", "stor0"), List.copyOf(rules.interfaceNames()));
        assertEquals(3, rules.rules().size());
    }

    @Test
    void duplicateNamesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> RuleSet.of(List.of(
                cidrRule("a", 0, "b0", "192.0.2.0/24"), cidrRule("a", 1, "b0", "198.51.100.0/24"))));
    }

    @Test
    void ruleWithoutDestinationIsRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> rule("none", 0, "b0", List.of(), List.of(), PortSet.ALL, BOTH));
        assertThrows(IllegalArgumentException.class,
                () -> rule("none", 0, "b0", List.of(), List.of("192.0.2.0/24"), PortSet.ALL, Set.of()));
    }

    @Test
    void ruleAccessorsAndDescribe() throws Exception {
        PortSet ports = PortSet.of(List.of(PortSet.Range.single(7000), PortSet.Range.parse("8000-8099")));
        Rule storage = rule("storage", 1, "b0", List.of(), List.of("192.0.2.0/24", "2001:db8:f::/48"), ports,
                EnumSet.of(Protocol.TCP));
        assertEquals("storage", storage.name());
        assertEquals(1, storage.index());
        assertEquals("b0", storage.interfaceName());
        assertEquals("test.conf:2", storage.origin());
        assertEquals(List.of(), storage.hosts());
        assertEquals(List.of("192.0.2.0/24", "2001:db8:f::/48"), storage.cidrs());
        assertEquals("storage: cidrs [192.0.2.0/24, 2001:db8:f::/48] ports [7000, 8000-8099] protocols [tcp] -> b0",
                storage.describe());

        Rule corp = rule("corp-api", 0, "b0", List.of("*.corp.example"), List.of(), PortSet.ALL, BOTH);
        assertEquals("corp-api: hosts [*.corp.example] -> b0", corp.describe());
        assertEquals(List.of("*.corp.example"), corp.hosts());

        assertTrue(storage.matches(mapped(192, 0, 2, 1), null, 7000, Protocol.TCP));
        assertFalse(storage.matches(ip(192, 0, 2, 1), null, 7000, Protocol.UDP));
        assertTrue(corp.matches(literal("2001:db8::1"), "x.corp.example", 1, Protocol.UDP));
    }

    /** Where the agent runs (java.net open, as in surefire), host rules and IPv6 destinations allocate nothing either. */
    @Test
    void matchWithHostRulesAndIpv6AllocatesNothingWhenFieldsAreReadable() throws Exception {
        assertTrue(InetAddressFields.direct());
        RuleSet rules = RuleSet.of(List.of(
                rule("corp", 0, "b0", List.of("*.corp.example", "db.example"), List.of("2001:db8:f::/48"),
                        PortSet.ALL, BOTH),
                cidrRule("rest", 1, "b1", "198.51.100.0/24", "2001:db8::/32")));
        InetAddress[] addresses = {InetAddress.getByAddress("api.corp.example", new byte[] {(byte) 203, 0, 113, 1}),
                ip(203, 0, 113, 9), literal("2001:db8:f::1"), literal("2001:db9::1"), mapped(198, 51, 100, 1),
                InetAddress.getByAddress("other.example", literal("2001:db9::2").getAddress())};
        assertAllocatesNothing(rules, addresses);
    }

    /** 100,000 matches after a warm-up allocate less than 4 KB (one allocation per call would be megabytes). */
    private static void assertAllocatesNothing(RuleSet rules, InetAddress[] addresses) {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        int matched = 0;
        for (int i = 0; i < 20_000; i++) {
            matched += rules.match(addresses[i % addresses.length], 443, Protocol.TCP) != null ? 1 : 0;
        }
        long before = threads.getThreadAllocatedBytes(thread);
        for (int i = 0; i < 100_000; i++) {
            matched += rules.match(addresses[i % addresses.length], 443, Protocol.TCP) != null ? 1 : 0;
        }
        long allocated = threads.getThreadAllocatedBytes(thread) - before;
        assertTrue(matched > 0);
        assertTrue(allocated < 4096, "allocated " + allocated + " bytes in 100000 matches");
    }

    /** The hot path runs on every connect and send: with IPv4 and no host rules it must not allocate. */
    @Test
    void ipv4MatchWithoutHostRulesAllocatesNothing() throws Exception {
        PortSet ports = PortSet.of(List.of(PortSet.Range.parse("8000-8099")));
        RuleSet rules = RuleSet.of(List.of(
                rule("storage", 0, "b0", List.of(), List.of("2001:db8::/32", "192.0.2.0/24"), ports, BOTH),
                cidrRule("rest", 1, "b1", "198.51.100.0/24")));
        InetAddress[] addresses = {ip(192, 0, 2, 1), ip(198, 51, 100, 1), ip(203, 0, 113, 1)};
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();

        int matched = 0;
        for (int i = 0; i < 20_000; i++) { // warm up, so that class loading and compilation are done
            matched += rules.match(addresses[i % 3], 8000 + i % 200, Protocol.TCP) != null ? 1 : 0;
        }
        long before = threads.getThreadAllocatedBytes(thread);
        for (int i = 0; i < 100_000; i++) {
            matched += rules.match(addresses[i % 3], 8000 + i % 200, Protocol.TCP) != null ? 1 : 0;
        }
        long allocated = threads.getThreadAllocatedBytes(thread) - before;

        assertTrue(matched > 0);
        // One allocation per call would be megabytes; allow for the measurement itself.
        assertTrue(allocated < 4096, "allocated " + allocated + " bytes in 100000 matches");
    }

    /** Asked on every Netty datagram batch: answered from what the set was built with. */
    @Test
    void hasOutboundAnswersPerProtocolAndIgnoresInboundRules() {
        Rule tcpOnly = rule("tcp-only", 0, "b0", List.of(), List.of("192.0.2.0/24"), PortSet.ALL,
                EnumSet.of(Protocol.TCP));
        Rule inbound = Rule.named("in", 1, "test.conf:2").ports(PortSet.of(List.of(PortSet.Range.single(9001))))
                .protocols(BOTH).onError(OnError.FAIL_OPEN).inbound("b0");
        RuleSet inboundOnly = RuleSet.of(List.of(inbound));
        assertFalse(inboundOnly.hasOutbound(Protocol.TCP));
        assertFalse(inboundOnly.hasOutbound(Protocol.UDP));
        assertTrue(inboundOnly.hasInbound());
        RuleSet mixed = RuleSet.of(List.of(tcpOnly, inbound));
        assertTrue(mixed.hasOutbound(Protocol.TCP));
        assertFalse(mixed.hasOutbound(Protocol.UDP));
        assertFalse(RuleSet.of(List.of()).hasOutbound(Protocol.UDP));
        assertTrue(RuleSet.of(List.of(cidrRule("both", 0, "b0", "192.0.2.0/24"))).hasOutbound(Protocol.UDP));
    }
}
