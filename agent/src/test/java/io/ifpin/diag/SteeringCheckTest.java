package io.ifpin.diag;

import io.ifpin.config.ConfigLoader;
import io.ifpin.os.ErrnoException;
import io.ifpin.os.NetlinkErrorException;
import io.ifpin.os.NetlinkRoutes;
import io.ifpin.rules.Rule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 16: what the route check and {@code check} say about a rule's mark and source. */
class SteeringCheckTest {

    /** Answers route lookups by mark: the table the host's ip rules choose, or an error. */
    static final class MarkRoutes implements io.ifpin.os.Routes {
        final Map<Long, Integer> tableByMark = new HashMap<>();
        final Map<Long, Integer> errorByMark = new HashMap<>();

        @Override
        public int interfaceIndex(String name) {
            return name == null ? 0 : 2;
        }

        @Override
        public RouteAnswer routeGet(InetAddress destination, int ifIndex) throws ErrnoException, NetlinkErrorException {
            return routeGet(destination, ifIndex, 0);
        }

        @Override
        public List<Route> routes(int family) {
            return List.of();
        }

        @Override
        public Link link(int ifIndex) {
            return null;
        }

        @Override
        public List<String> addresses(int ifIndex) {
            return List.of();
        }

        @Override
        public RouteAnswer routeGet(InetAddress destination, int ifIndex, long mark)
                throws ErrnoException, NetlinkErrorException {
            Integer errno = errorByMark.get(mark);
            if (errno != null) {
                throw new NetlinkErrorException("RTM_GETROUTE", errno);
            }
            return new RouteAnswer(tableByMark.getOrDefault(mark, 254), 1, null, null, 2);
        }
    }

    private final MarkRoutes routes = new MarkRoutes();

    private static Rule rule(String body) throws Exception {
        return ConfigLoader.parse("ifpin.rules = [ { name = steered, " + body + " } ]", "steer.conf").rules()
                .rules().get(0);
    }

    @Test
    void aMarkThatSelectsAnotherTableIsFine() throws Exception {
        routes.tableByMark.put(16L, 100);
        assertNull(new MarkRouteCheck(routes).check(rule("cidrs = [\"203.0.113.0/24\"], mark = 16"), null,
                InetAddress.getByName("203.0.113.10")));
    }

    @Test
    void aMarkNoIpRuleCatchesIsNamedWithTheCommands() throws Exception {
        String warning = new MarkRouteCheck(routes).check(rule("cidrs = [\"203.0.113.0/24\"], mark = 16"), null,
                InetAddress.getByName("203.0.113.10"));
        for (String token : List.of("rule 'steered' (steer.conf:1)", "mark 16 (0x10)", "no ip rule catches it",
                "table main", "ip route get 203.0.113.10 mark 16", "Fix: ip rule add fwmark 16 table <table>")) {
            assertTrue(warning.contains(token), token + " not in " + warning);
        }
    }

    @Test
    void aMarkWhoseTableHasNoRouteIsNamed() throws Exception {
        routes.errorByMark.put(16L, NetlinkRoutes.ENETUNREACH);
        String warning = new MarkRouteCheck(routes).check(rule("cidrs = [\"2001:db8:f::/64\"], mark = 16"), null,
                InetAddress.getByName("2001:db8:f::10"));
        assertTrue(warning.contains("has no route to 2001:db8:f::10") && warning.contains("ENETUNREACH")
                && warning.contains("ip -6 route get 2001:db8:f::10 mark 16"), warning);
    }

    @Test
    void checkWarnsOfASourceOnNoInterfaceAndAMarkWithoutTheCapability() throws Exception {
        routes.tableByMark.put(16L, 100);
        Rule rule = rule("cidrs = [\"203.0.113.0/24\"], mark = 16, source = [\"198.51.100.7\", \"2001:db8::7\"]");
        Set<InetAddress> local = Set.of(InetAddress.getByName("2001:db8::7"));
        List<String> warnings = new SteeringCheck(local, 0x0L, routes).warnings(rule);
        assertEquals(2, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("source 198.51.100.7 is on no interface")
                && warnings.get(0).contains("EADDRNOTAVAIL"), warnings.get(0));
        assertTrue(warnings.get(1).contains("no CAP_NET_ADMIN") && warnings.get(1).contains("CapEff"),
                warnings.get(1));
        long netAdmin = 1L << SteeringCheck.CAP_NET_ADMIN;
        Set<InetAddress> both = Set.of(InetAddress.getByName("2001:db8::7"), InetAddress.getByName("198.51.100.7"));
        assertEquals(List.of(), new SteeringCheck(both, netAdmin, routes).warnings(rule));
    }

    @Test
    void capEffIsReadFromProcStatus(@TempDir Path dir) throws Exception {
        Path status = Files.writeString(dir.resolve("status"), "Name:\tjava\nCapInh:\t0000000000000000\n"
                + "CapEff:\t000001ffffffffff\n");
        assertEquals(0x1ffffffffffL, SteeringCheck.effectiveCapabilities(status));
        assertEquals(-1, SteeringCheck.effectiveCapabilities(dir.resolve("missing")));
    }
}
