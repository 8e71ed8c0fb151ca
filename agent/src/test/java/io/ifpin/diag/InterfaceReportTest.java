package io.ifpin.diag;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InterfaceReportTest {

    @Test
    void reportsEachRulesInterface() throws Exception {
        FakeRoutes routes = new FakeRoutes()
                .interfaceUp("a0", 2, "192.0.2.2/24")
                .interfaceUp("b0", 3, "198.51.100.2/24", "2001:db8:b::2/64")
                .route(4, "0.0.0.0", 0, "192.0.2.1", 2, 100)
                .route(4, "0.0.0.0", 0, "198.51.100.1", 3, 200)
                .route(4, "198.51.100.0", 24, null, 3, 0)
                .route(6, "2001:db8:b::", 64, null, 3, 256);
        InterfaceReport report = new InterfaceReport(routes, Map.of("all", "0", "b0", "1")::get);
        List<InterfaceReport.Status> statuses = report.build(List.of(RouteCheckTest.rule()));
        assertEquals(1, statuses.size());
        InterfaceReport.Status b0 = statuses.get(0);
        assertTrue(b0.exists() && b0.up());
        assertTrue(b0.ipv4().hasDefault());
        assertFalse(b0.ipv6().hasDefault());
        assertEquals(List.of("198.51.100.1"), b0.ipv4().defaultVia());
        assertEquals("rule 'corp' -> interface 'b0': up, addresses [198.51.100.2/24, 2001:db8:b::2/64], default"
                + " route IPv4 yes (via 198.51.100.1), IPv6 no (1 other route), rp_filter 1 (strict)", b0.toLine());
    }

    @Test
    void aMissingInterfaceSaysSo() throws Exception {
        InterfaceReport report = new InterfaceReport(new FakeRoutes(), Map.<String, String>of()::get);
        InterfaceReport.Status status = report.build(List.of(RouteCheckTest.rule())).get(0);
        assertFalse(status.exists());
        assertEquals("rule 'corp' -> interface 'b0': does not exist in this network namespace now", status.toLine());
    }

    @Test
    void aDownInterfaceWithAPointToPointDefaultRoute() throws Exception {
        FakeRoutes routes = new FakeRoutes().link("b0", 3, 0x10).route(4, "0.0.0.0", 0, null, 3, 50);
        InterfaceReport.Status status = new InterfaceReport(routes, Map.<String, String>of()::get)
                .build(List.of(RouteCheckTest.rule())).get(0);
        assertEquals("rule 'corp' -> interface 'b0': DOWN, addresses [], default route IPv4 yes (via (no gateway)),"
                + " IPv6 no (0 other routes), rp_filter unknown", status.toLine());
    }
}
