package io.ifpin.diag;

import io.ifpin.config.ConfigLoader;
import io.ifpin.os.Errno;
import io.ifpin.os.NetlinkRoutes;
import io.ifpin.rules.Rule;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The route check's decisions and texts against a fake routing table modelled on the netns lab. */
class RouteCheckTest {

    static final int A0 = 2;
    static final int B0 = 3;

    final FakeRoutes routes = new FakeRoutes()
            .interfaceUp("a0", A0, "192.0.2.2/24")
            .interfaceUp("b0", B0, "198.51.100.2/24", "2001:db8:b::2/64");
    final RouteCheck check = new RouteCheck(routes);

    static Rule rule() throws Exception {
        return ConfigLoader.parse("ifpin.rules = [\n"
                + "{ name = corp, cidrs = [\"203.0.113.0/24\", \"2001:db8:f::/48\"], interface = b0 } ]", "test.conf")
                .rules().rules().get(0);
    }

    /** The lab with b0's default routes deleted; a0 keeps its defaults (their gateways must not be used). */
    FakeRoutes trapLab() throws Exception {
        return routes.route(4, "0.0.0.0", 0, "192.0.2.1", A0, 100)
                .route(4, "198.51.100.0", 24, null, B0, 0)
                .route(6, "::", 0, "2001:db8:a::1", A0, 100)
                .route(6, "2001:db8:b::", 64, null, B0, 256)
                .answer("203.0.113.10", 0, null, B0)
                .error("2001:db8:f::10", NetlinkRoutes.ENETUNREACH);
    }

    static InetAddress ip(String text) throws Exception {
        return InetAddress.getByName(text);
    }

    @Test
    void aRealRouteIsFine() throws Exception {
        routes.answer("203.0.113.10", 254, "198.51.100.1", B0);
        assertNull(check.check(rule(), "b0", ip("203.0.113.10")));
    }

    @Test
    void aDestinationInTheInterfacesOwnSubnetIsFine() throws Exception {
        routes.answer("198.51.100.7", 254, null, B0); // connected route: on-link for real, table main
        assertNull(check.check(rule(), "b0", ip("198.51.100.7")));
    }

    @Test
    void aRouteFromAPolicyRoutingTableIsFine() throws Exception {
        routes.answer("203.0.113.10", 100, "198.51.100.1", B0);
        assertNull(check.check(rule(), "b0", ip("203.0.113.10")));
    }

    @Test
    void ipv4TrapWithoutAnyGatewayOnTheInterfaceGivesThePlaceholderFix() throws Exception {
        trapLab();
        String warning = check.check(rule(), "b0", ip("203.0.113.10"));
        assertEquals("rule 'corp' (test.conf:2): no route to 203.0.113.10 via interface 'b0': the kernel assumes"
                + " 203.0.113.10 is on b0's link and sends ARP requests for it, so connects will hang, then fail"
                + " with EHOSTUNREACH (No route to host), unless a host on that link answers ARP for it. Confirm: ip route get 203.0.113.10 oif b0 (no 'via')."
                + " Fix: ip route add 203.0.113.10/32 via <gateway-on-b0> dev b0, where <gateway-on-b0> is the"
                + " router on b0's link (no route via b0 names one), or a default route via it: ip route add default"
                + " via <gateway-on-b0> dev b0 metric 200.", warning);
        assertFalse(warning.contains("192.0.2.1"), "a0's gateway must not be suggested for b0");
    }

    @Test
    void ipv4TrapWithAGatewayOnTheInterfaceSuggestsADefaultRouteViaIt() throws Exception {
        trapLab().route(4, "192.0.2.128", 25, "198.51.100.1", B0, 0);
        String warning = check.check(rule(), "b0", ip("203.0.113.10"));
        assertTrue(warning.contains("connects will hang, then fail with EHOSTUNREACH"), warning);
        assertTrue(warning.contains("Fix: ip route add default via 198.51.100.1 dev b0 metric 200 (a second"
                + " default route; its higher metric keeps other traffic on the existing one), or only for this"
                + " network: ip route add 203.0.113.0/24 via 198.51.100.1 dev b0."), warning);
    }

    @Test
    void ipv6TrapFailsAtOnceWithEnetunreach() throws Exception {
        trapLab().route(6, "2001:db8:c::", 64, "fe80::1", B0, 1024);
        String warning = check.check(rule(), "b0", ip("2001:db8:f::10"));
        assertEquals("rule 'corp' (test.conf:2): no route to 2001:db8:f::10 via interface 'b0': connects fail at"
                + " once with ENETUNREACH (Network is unreachable). Confirm: ip -6 route get 2001:db8:f::10 oif b0"
                + " (Network is unreachable). Fix: ip -6 route add default via fe80::1 dev b0 metric 200 (a second"
                + " default route; its higher metric keeps other traffic on the existing one), or only for this"
                + " network: ip -6 route add 2001:db8:f::/64 via fe80::1 dev b0.", warning);
    }

    @Test
    void ipv6TrapWithoutGatewayGivesThePlaceholderFix() throws Exception {
        trapLab();
        String warning = check.check(rule(), "b0", ip("2001:db8:f::10"));
        assertTrue(warning.contains("Fix: ip -6 route add 2001:db8:f::10/128 via <gateway-on-b0> dev b0,"), warning);
        assertFalse(warning.contains("2001:db8:a::1"), warning);
    }

    @Test
    void theSuggestedMetricStaysAboveAnExistingDefaultRoute() throws Exception {
        // IPv6 default routes from router advertisements have metric 1024: 200 would move all traffic to b0.
        routes.route(6, "::", 0, "fe80::a", A0, 1024).route(6, "2001:db8:c::", 64, "fe80::1", B0, 1024)
                .error("2001:db8:f::10", NetlinkRoutes.ENETUNREACH);
        String warning = check.check(rule(), "b0", ip("2001:db8:f::10"));
        assertTrue(warning.contains("ip -6 route add default via fe80::1 dev b0 metric 1124 "), warning);
    }

    @Test
    void aPointToPointInterfaceNeedsNoGateway() throws Exception {
        routes.link("b0", B0, 0x1 | 0x10 | 0x10000).answer("203.0.113.10", 0, null, B0);
        String warning = check.check(rule(), "b0", ip("203.0.113.10"));
        assertTrue(warning.contains("Fix: ip route add default dev b0 metric 200 (a point-to-point device needs no"
                + " gateway"), warning);
    }

    @Test
    void aDownInterfaceIsNamedAsTheCause() throws Exception {
        routes.link("b0", B0, 0x1000 /* IFF_MULTICAST, not IFF_UP */).error("203.0.113.10", NetlinkRoutes.ENETUNREACH);
        String warning = check.check(rule(), "b0", ip("203.0.113.10"));
        assertEquals("rule 'corp' (test.conf:2): interface 'b0' is down, so connects to 203.0.113.10 fail at once"
                + " with ENETUNREACH (Network is unreachable). Confirm: ip -br link show b0. Fix: ip link set b0 up"
                + " (or start whatever manages it: a VPN client, NetworkManager).", warning);
    }

    @Test
    void otherLookupErrorsAreNamed() throws Exception {
        routes.error("203.0.113.10", Errno.EACCES); // a prohibit route
        String warning = check.check(rule(), "b0", ip("203.0.113.10"));
        assertTrue(warning.startsWith("rule 'corp' (test.conf:2): the route lookup for 203.0.113.10 via interface"
                + " 'b0' fails with EACCES"), warning);
    }

    @Test
    void whenNetlinkCannotBeUsedThereIsNoWarning() throws Exception {
        routes.transportErrno = Errno.EPERM; // e.g. a seccomp filter refusing AF_NETLINK sockets
        assertNull(check.check(rule(), "b0", ip("203.0.113.10")));
    }

    @Test
    void aMissingInterfaceIsLeftToTheEnodevMessages() throws Exception {
        assertNull(check.check(rule(), "tun0", ip("203.0.113.10")));
        assertFalse(check.interfaceExists("tun0"));
        assertTrue(check.interfaceExists("b0"));
    }

    @Test
    void anIpv4MappedDestinationIsCheckedAsIpv4() throws Exception {
        trapLab();
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        mapped[12] = (byte) 203;
        mapped[14] = 113;
        mapped[15] = 10;
        String warning = check.check(rule(), "b0", InetAddress.getByAddress(mapped));
        assertTrue(warning.contains("EHOSTUNREACH") && warning.contains(" 203.0.113.10 "), warning);
        assertTrue(routes.calls.contains("get 203.0.113.10 oif " + B0), routes.calls.toString());
    }

    @Test
    void prefixes() throws Exception {
        assertEquals("203.0.113.0/24", RouteCheck.prefixOf(ip("203.0.113.10")));
        assertEquals("2001:db8:f::/64", RouteCheck.prefixOf(ip("2001:db8:f::10")));
    }
}
