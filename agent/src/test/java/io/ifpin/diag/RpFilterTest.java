package io.ifpin.diag;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RpFilterTest {

    static RpFilter.Sysctl values(Map<String, String> values) {
        return values::get;
    }

    @Test
    void strictOnTheInterfaceWarnsWithTheLooseFix() throws Exception {
        RpFilter.Setting setting = RpFilter.read(values(Map.of("all", "0\n", "b0", "1\n")), "b0");
        assertEquals(new RpFilter.Setting(0, 1), setting);
        assertEquals("rule 'corp' (test.conf:2): interface 'b0' has strict reverse-path filtering (rp_filter:"
                + " all=0, b0=1): IPv4 replies that arrive on b0 while the route back to their sender points to"
                + " another interface are dropped, so pinned connects time out. Confirm: nstat -az"
                + " TcpExtIPReversePathFilter (rises with each drop). Fix: sysctl -w net.ipv4.conf.b0.rp_filter=2"
                + " (loose), and persist it under /etc/sysctl.d/.", RpFilter.warning(RouteCheckTest.rule(), "b0", setting));
    }

    @Test
    void strictFromAllWarnsToo() throws Exception {
        RpFilter.Setting setting = RpFilter.read(values(Map.of("all", "1", "b0", "0")), "b0");
        assertEquals(1, setting.effective());
        String warning = RpFilter.warning(RouteCheckTest.rule(), "b0", setting);
        assertTrue(warning.contains("rp_filter: all=1, b0=0") && warning.contains("also overrides all=1"), warning);
    }

    @Test
    void looseWinsOverStrict() throws Exception {
        RpFilter.Setting setting = RpFilter.read(values(Map.of("all", "1", "b0", "2")), "b0");
        assertEquals("2 (loose)", setting.describe());
        assertNull(RpFilter.warning(RouteCheckTest.rule(), "b0", setting));
    }

    @Test
    void offIsFine() throws Exception {
        RpFilter.Setting setting = RpFilter.read(values(Map.of("all", "0", "b0", "0")), "b0");
        assertEquals("0 (off)", setting.describe());
        assertNull(RpFilter.warning(RouteCheckTest.rule(), "b0", setting));
    }

    @Test
    void unreadableMeansUnknownAndNoWarning() throws Exception {
        assertNull(RpFilter.read(values(Map.of("all", "0")), "tun0"));
        assertNull(RpFilter.read(name -> {
            throw new IOException("no /proc");
        }, "b0"));
        assertNull(RpFilter.read(values(Map.of("all", "0", "x", "garbage")), "x"));
        assertNull(RpFilter.read(values(Map.of()), "../../x"));
        assertNull(RpFilter.warning(RouteCheckTest.rule(), "b0", null));
    }

    @Test
    void aVlanNameIsWrittenWithASlashForSysctl() throws Exception {
        String warning = RpFilter.warning(RouteCheckTest.rule(), "eth0.100", new RpFilter.Setting(0, 1));
        assertTrue(warning.contains("sysctl -w net.ipv4.conf.eth0/100.rp_filter=2"), warning);
    }
}
