package io.ifpin.diag;

import io.ifpin.config.ConfigLoader;
import io.ifpin.rules.Action;
import io.ifpin.rules.OnError;
import io.ifpin.rules.Rule;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Keys, networks, the cap and the queue of the asynchronous checker; the work is a recording fake. */
class AsyncRouteCheckerTest {

    final List<String> checked = new ArrayList<>();
    boolean settle = true;

    final AsyncRouteChecker.Work recorder = (rule, interfaceName, destination) -> {
        checked.add(rule.name() + " " + interfaceName + " " + RouteCheck.text(destination));
        return settle;
    };

    static List<Rule> rules() throws Exception {
        return ConfigLoader.parse("ifpin.rules = ["
                + "{ name = one, cidrs = [\"0.0.0.0/0\", \"::/0\"], interface = b0 },"
                + "{ name = two, cidrs = [\"0.0.0.0/0\"], interface = b0 } ]", "test.conf").rules().rules();
    }

    static InetAddress ip(String text) throws Exception {
        return InetAddress.getByName(text);
    }

    /** The destinations checked after one socket to each, in order. */
    private List<String> checkedAfter(String... destinations) throws Exception {
        AsyncRouteChecker checker = new AsyncRouteChecker(recorder, 100, 10);
        Rule one = rules().get(0);
        for (String destination : destinations) {
            checker.maybeCheck(one, "b0", ip(destination));
        }
        checker.runQueued();
        List<String> destinationsChecked = new ArrayList<>();
        for (String line : checked) {
            destinationsChecked.add(line.substring("one b0 ".length()));
        }
        return destinationsChecked;
    }

    @Test
    void ipv4DestinationsAreGroupedBySlash24() throws Exception {
        assertEquals(List.of("203.0.113.10", "203.0.114.10"), checkedAfter("203.0.113.10", "203.0.113.250",
                "203.0.114.10"));
    }

    @Test
    void ipv6DestinationsAreGroupedBySlash64() throws Exception {
        assertEquals(List.of("2001:db8:f::10", "2001:db8:f:1::10", "::cb00:710a", "203.0.113.10"),
                checkedAfter("2001:db8:f::10", "2001:db8:f::ffff:1", "2001:db8:f:1::10", "::cb00:710a",
                        "203.0.113.10"), "an IPv4-compatible address is IPv6");
    }

    @Test
    void anIpv4MappedDestinationHasTheIpv4Key() throws Exception {
        byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, (byte) 203, 0, 113, 77};
        // InetAddress.getByAddress would turn it into an Inet4Address; the hook may see an Inet6Address too.
        InetAddress inet6 = java.net.Inet6Address.getByAddress(null, mapped, -1);
        AsyncRouteChecker checker = new AsyncRouteChecker(recorder, 100, 10);
        checker.maybeCheck(rules().get(0), "b0", ip("203.0.113.10"));
        checker.maybeCheck(rules().get(0), "b0", inet6);
        assertEquals(1, checker.queued());
    }

    @Test
    void eachRuleChecksItsOwnNetworks() throws Exception {
        AsyncRouteChecker checker = new AsyncRouteChecker(recorder, 100, 10);
        checker.maybeCheck(rules().get(0), "b0", ip("203.0.113.10"));
        checker.maybeCheck(rules().get(1), "b0", ip("203.0.113.10"));
        checker.runQueued();
        assertEquals(List.of("one b0 203.0.113.10", "two b0 203.0.113.10"), checked);
    }

    @Test
    void theNetworkSetIsASortedSet() {
        AsyncRouteChecker.NetworkSet set = new AsyncRouteChecker.NetworkSet();
        assertTrue(set.add(30));
        assertTrue(set.add(10));
        assertTrue(set.add(20));
        assertFalse(set.add(20));
        assertTrue(set.contains(10) && set.contains(20) && set.contains(30));
        assertTrue(set.remove(20));
        assertFalse(set.remove(20));
        assertFalse(set.contains(20));
        assertTrue(set.contains(10) && set.contains(30));
        assertEquals(2, set.size());
    }

    @Test
    void eachNetworkIsCheckedOnceOnTheWorker() throws Exception {
        AsyncRouteChecker checker = new AsyncRouteChecker(recorder, 100, 10);
        Rule one = rules().get(0);
        checker.maybeCheck(one, "b0", ip("203.0.113.10"));
        checker.maybeCheck(one, "b0", ip("203.0.113.11"));
        checker.maybeCheck(one, "b0", ip("2001:db8:f::10"));
        assertTrue(checked.isEmpty(), "nothing runs on the calling thread");
        assertEquals(2, checker.queued());
        checker.runQueued();
        checker.maybeCheck(one, "b0", ip("203.0.113.12"));
        checker.runQueued();
        assertEquals(List.of("one b0 203.0.113.10", "one b0 2001:db8:f::10"), checked);
    }

    /** Issue 15: a rule with a list of interfaces has each of them checked, the one in use first. */
    @Test
    void everyInterfaceOfAListIsChecked() throws Exception {
        AsyncRouteChecker checker = new AsyncRouteChecker(recorder, 100, 10);
        Rule list = ConfigLoader.parse("ifpin.rules = [ { name = corp, cidrs = [\"0.0.0.0/0\"], interface = [c0, b0,"
                + " a0] } ]", "test.conf").rules().rules().get(0);
        checker.maybeCheck(list, "b0", ip("203.0.113.10"));
        checker.maybeCheck(list, "c0", ip("203.0.113.11"));
        checker.runQueued();
        assertEquals(List.of("corp b0 203.0.113.10", "corp c0 203.0.113.10", "corp a0 203.0.113.10"), checked);
    }

    /**
     * After a reload a different rule may sit at the same position: its first socket to a network is checked,
     * whatever the rule before it at that position saw.
     */
    @Test
    void aReloadedDifferentRuleAtTheSameIndexIsChecked() throws Exception {
        AsyncRouteChecker checker = new AsyncRouteChecker(recorder, 100, 10);
        Rule before = rules().get(0);
        Rule after = ConfigLoader.parse("ifpin.rules = [{ name = other, cidrs = [\"203.0.113.0/24\"],"
                + " interface = b0 }]", "reloaded.conf").rules().rules().get(0);
        assertEquals(before.index(), after.index());
        checker.maybeCheck(before, "b0", ip("203.0.113.10"));
        checker.runQueued();
        checker.maybeCheck(after, "b0", ip("203.0.113.10"));
        checker.runQueued();
        assertEquals(List.of("one b0 203.0.113.10", "other b0 203.0.113.10"), checked);
    }

    /** The same rule changed by a reload (here: its interface) is checked again; an unchanged one is not. */
    @Test
    void aReloadedRuleIsCheckedAgainOnlyWhenItChanged() throws Exception {
        AsyncRouteChecker checker = new AsyncRouteChecker(recorder, 100, 10);
        checker.maybeCheck(rules().get(0), "b0", ip("203.0.113.10"));
        checker.runQueued();
        checker.maybeCheck(rules().get(0), "b0", ip("203.0.113.10")); // the same text parsed again: a new object
        checker.runQueued();
        Rule moved = ConfigLoader.parse("ifpin.rules = [{ name = one, cidrs = [\"0.0.0.0/0\", \"::/0\"],"
                + " interface = b1 }]", "test.conf").rules().rules().get(0);
        checker.maybeCheck(moved, "b1", ip("203.0.113.10"));
        checker.runQueued();
        assertEquals(List.of("one b0 203.0.113.10", "one b1 203.0.113.10"), checked);
        assertEquals(1, checker.keyCount(), "the changed rule's networks replace the old ones");
    }

    @Test
    void theCapStopsChecking() throws Exception {
        AsyncRouteChecker checker = new AsyncRouteChecker(recorder, 3, 10);
        Rule one = rules().get(0);
        for (int i = 0; i < 10; i++) {
            checker.maybeCheck(one, "b0", ip("198.51." + i + ".1"));
        }
        assertEquals(3, checker.keyCount());
        assertEquals(4, checker.queued(), "3 checks and the one 'cap reached' note for the worker to log");
        checker.runQueued();
        assertEquals(3, checked.size());
        checker.maybeCheck(one, "b0", ip("198.51.0.99")); // known network: still answered from the map
        checker.maybeCheck(one, "b0", ip("198.51.50.1"));
        assertEquals(0, checker.queued(), "the cap note is queued once");
    }

    @Test
    void aFullQueueDropsTheCheckAndForgetsTheKey() throws Exception {
        AsyncRouteChecker checker = new AsyncRouteChecker(recorder, 100, 1);
        Rule one = rules().get(0);
        checker.maybeCheck(one, "b0", ip("203.0.113.10"));
        checker.maybeCheck(one, "b0", ip("198.51.100.10")); // queue full: dropped
        assertEquals(1, checker.keyCount());
        checker.runQueued();
        checker.maybeCheck(one, "b0", ip("198.51.100.10")); // offered again
        checker.runQueued();
        assertEquals(List.of("one b0 203.0.113.10", "one b0 198.51.100.10"), checked);
    }

    @Test
    void anUnsettledCheckIsOfferedAgain() throws Exception {
        AsyncRouteChecker checker = new AsyncRouteChecker(recorder, 100, 10);
        Rule one = rules().get(0);
        settle = false; // e.g. the interface does not exist yet
        checker.maybeCheck(one, "b0", ip("203.0.113.10"));
        checker.runQueued();
        assertEquals(0, checker.keyCount());
        settle = true;
        checker.maybeCheck(one, "b0", ip("203.0.113.10"));
        checker.runQueued();
        checker.maybeCheck(one, "b0", ip("203.0.113.10"));
        checker.runQueued();
        assertEquals(2, checked.size());
        assertEquals(1, checker.keyCount());
    }

    @Test
    void aThrowingCheckIsNotRetriedAndDoesNotStopTheWorker() throws Exception {
        AsyncRouteChecker checker = new AsyncRouteChecker((rule, name, destination) -> {
            throw new IllegalStateException("boom");
        }, 100, 10);
        Rule one = rules().get(0);
        checker.maybeCheck(one, "b0", ip("203.0.113.10"));
        checker.runQueued();
        checker.maybeCheck(one, "b0", ip("203.0.113.10"));
        assertEquals(0, checker.queued());
    }

    @Test
    void awaitIdleWaitsForQueuedChecksOnly() throws Exception {
        AsyncRouteChecker checker = new AsyncRouteChecker(recorder, 100, 10);
        assertTrue(checker.awaitIdle(0));
        checker.maybeCheck(rules().get(0), "b0", ip("203.0.113.10"));
        assertFalse(checker.awaitIdle(20), "a queued check is pending");
        checker.runQueued();
        assertTrue(checker.awaitIdle(0));
    }

    @Test
    void theDisabledCheckerDoesNothing() throws Exception {
        AsyncRouteChecker.DISABLED.maybeCheck(rules().get(0), "b0", ip("203.0.113.10"));
        assertEquals(0, AsyncRouteChecker.DISABLED.keyCount());
    }

    @Test
    void theWorkChecksRpFilterOncePerInterfaceAndSkipsMissingInterfaces() throws Exception {
        FakeRoutes routes = new FakeRoutes().interfaceUp("b0", 3, "198.51.100.2/24")
                .answer("203.0.113.10", 254, "198.51.100.1", 3)
                .answer("192.0.2.10", 254, "198.51.100.1", 3);
        List<String> reads = new ArrayList<>();
        RpFilter.Sysctl sysctl = name -> {
            reads.add(name);
            return Map.of("all", "0", "b0", "0").get(name);
        };
        AsyncRouteChecker.Checks checks = new AsyncRouteChecker.Checks(new RouteCheck(routes), sysctl);
        Rule one = rules().get(0);
        assertTrue(checks.check(one, "b0", ip("203.0.113.10")));
        assertTrue(checks.check(one, "b0", ip("192.0.2.10")));
        assertEquals(List.of("all", "b0"), reads, "rp_filter is read once per interface");
        assertFalse(checks.check(one, "tun0", ip("203.0.113.10")), "a missing interface is checked again later");
    }

    /**
     * The lookup on every pinned socket (issue 20): once a rule's network is known, IPv4 and IPv6 destinations cost no
     * allocation (100,000 lookups under 4 KB; the copy of an IPv6 address's 16 bytes alone would be 3 MB).
     */
    @Test
    void aKnownNetworkIsLookedUpWithoutAllocatingForIpv4AndIpv6() throws Exception {
        assertKnownNetworksCostNothing(rules().get(0));
    }

    /** The same for the default rule ({@code default-action = pin}), which has no position among the rules. */
    @Test
    void theDefaultRulesKnownNetworkIsLookedUpWithoutAllocating() throws Exception {
        assertKnownNetworksCostNothing(Rule.byDefault(Action.PIN, "b0", OnError.FAIL_OPEN, "test.conf:1"));
    }

    private void assertKnownNetworksCostNothing(Rule one) throws Exception {
        AsyncRouteChecker checker = new AsyncRouteChecker(recorder, 100, 10);
        InetAddress[] destinations = {ip("203.0.113.10"), ip("2001:db8:f::10"), ip("203.0.113.11"),
                ip("2001:db8:f::11")};
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        for (int i = 0; i < 20_000; i++) {
            checker.maybeCheck(one, "b0", destinations[i % destinations.length]);
        }
        long before = threads.getThreadAllocatedBytes(thread);
        for (int i = 0; i < 100_000; i++) {
            checker.maybeCheck(one, "b0", destinations[i % destinations.length]);
        }
        long allocated = threads.getThreadAllocatedBytes(thread) - before;
        assertEquals(2, checker.queued(), "one check per network");
        assertTrue(allocated < 4096, "allocated " + allocated + " bytes in 100000 lookups");
    }

    /** A reload that puts another rule at a known rule's position: that rule's networks are its own, checked anew. */
    @Test
    void anotherRuleAtTheSamePositionIsCheckedAgain() throws Exception {
        AsyncRouteChecker checker = new AsyncRouteChecker(recorder, 100, 10);
        checker.maybeCheck(rules().get(0), "b0", ip("203.0.113.10"));
        Rule other = ConfigLoader.parse("ifpin.rules = [ { name = other, cidrs = [\"0.0.0.0/0\"], interface = b0 } ]",
                "reload.conf").rules().rules().get(0);
        checker.maybeCheck(other, "b0", ip("203.0.113.10"));
        checker.maybeCheck(rules().get(0), "b0", ip("203.0.113.10")); // the first rule again, as a new object
        checker.runQueued();
        assertEquals(List.of("one b0 203.0.113.10", "other b0 203.0.113.10"), checked);
    }
}
