package io.ifpin.config;

import io.ifpin.log.LogLevel;
import io.ifpin.rules.Protocol;
import io.ifpin.rules.Rule;
import io.ifpin.rules.RuleSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigLoaderTest {
    static final String EXAMPLE = """
            ifpin {
              log {
                level = info
                file = null
              }
              rules = [
                { name = "corp-api",  hosts = ["api.corp.example", "*.corp.example"], interface = "b0" }
                { name = "storage",   cidrs = ["192.0.2.0/24", "2001:db8:f::/48"], ports = [7000, "8000-8099"],
                  protocols = [tcp, udp], interface = "b0" }
              ]
            }
            """;

    private static InetAddress ip(String literal) throws Exception {
        return InetAddress.getByName(literal); // literals only: no DNS
    }

    @Test
    void theDocumentedExampleParses() throws Exception {
        IfpinConfig config = ConfigLoader.parse(EXAMPLE, "example.conf");
        assertEquals("example.conf", config.source());
        assertEquals(new LogSettings(LogLevel.INFO, Optional.empty()), config.log());

        List<Rule> rules = config.rules().rules();
        assertEquals(2, rules.size());
        Rule corp = rules.get(0);
        assertEquals("corp-api", corp.name());
        assertEquals(0, corp.index());
        assertEquals("b0", corp.interfaceName());
        assertEquals("example.conf:7", corp.origin());
        assertEquals(List.of("api.corp.example", "*.corp.example"), corp.hosts());
        assertEquals("corp-api: hosts [api.corp.example, *.corp.example] -> b0", corp.describe());

        Rule storage = rules.get(1);
        assertEquals("storage", storage.name());
        assertEquals(1, storage.index());
        assertEquals("example.conf:8", storage.origin());
        assertEquals(List.of("192.0.2.0/24", "2001:db8:f::/48"), storage.cidrs());
        assertEquals(Set.of(Protocol.TCP, Protocol.UDP), storage.protocols());
        assertEquals(Set.of("b0"), config.rules().interfaceNames());

        RuleSet set = config.rules();
        byte[] elsewhere = ip("203.0.113.5").getAddress();
        assertSame(corp, set.match(InetAddress.getByAddress("www.corp.example", elsewhere), 443, Protocol.TCP));
        assertSame(storage, set.match(ip("192.0.2.7"), 8042, Protocol.UDP));
        assertSame(storage, set.match(ip("2001:db8:f::7"), 7000, Protocol.TCP));
        assertNull(set.match(ip("192.0.2.7"), 443, Protocol.TCP));
        assertNull(set.match(ip("203.0.113.5"), 443, Protocol.TCP));
    }

    @Test
    void defaultsApplyWhenTheFileIsEmpty() throws Exception {
        for (String text : new String[] {"", "# only a comment\n", "ifpin {}", "ifpin { rules = [] }"}) {
            IfpinConfig config = ConfigLoader.parse(text, "empty.conf");
            assertEquals(LogLevel.INFO, config.log().level(), text);
            assertEquals(Optional.empty(), config.log().file(), text);
            assertTrue(config.rules().isEmpty(), text);
        }
    }

    @Test
    void logSettings() throws Exception {
        IfpinConfig config = ConfigLoader.parse("ifpin.log { level = DEBUG, file = \"/var/log/ifpin.log\" }", "l.conf");
        assertEquals(new LogSettings(LogLevel.DEBUG, Optional.of(Path.of("/var/log/ifpin.log"))), config.log());
        assertEquals(LogLevel.WARN, ConfigLoader.parse("ifpin.log.level = Warn", "l.conf").log().level());
    }

    @Test
    void rulesWithoutNamesAreNumberedFromOne() throws Exception {
        IfpinConfig config = ConfigLoader.parse("""
                ifpin.rules = [
                  { cidrs = ["192.0.2.0/24"], interface = "b0" }
                  { name = "second", cidrs = ["198.51.100.0/24"], interface = "b0" }
                  { cidrs = ["203.0.113.0/24"], interface = "b1" }
                ]
                """, "n.conf");
        assertEquals(List.of("rule-1", "second", "rule-3"),
                config.rules().rules().stream().map(Rule::name).toList());
    }

    @Test
    void protocolsFilterAndDefaultToBoth() throws Exception {
        IfpinConfig config = ConfigLoader.parse("""
                ifpin.rules = [
                  { name = "dns", cidrs = ["192.0.2.53"], ports = [53], protocols = [UDP], interface = "b0" }
                  { name = "rest", cidrs = ["192.0.2.0/24"], interface = "b1" }
                ]
                """, "p.conf");
        Rule dns = config.rules().rules().get(0);
        Rule rest = config.rules().rules().get(1);
        assertEquals(Set.of(Protocol.UDP), dns.protocols());
        assertEquals(Set.of(Protocol.TCP, Protocol.UDP), rest.protocols());
        assertSame(dns, config.rules().match(ip("192.0.2.53"), 53, Protocol.UDP));
        assertSame(rest, config.rules().match(ip("192.0.2.53"), 53, Protocol.TCP));
    }

    @Test
    void portsAsNumbersRangesAndNumericStrings() throws Exception {
        IfpinConfig config = ConfigLoader.parse("""
                ifpin.rules = [
                  { cidrs = ["192.0.2.0/24"], ports = [7000, "8000-8099", "443", 8000-8099], interface = "b0" }
                ]
                """, "p.conf");
        Rule rule = config.rules().rules().get(0);
        assertEquals("7000, 8000-8099, 443, 8000-8099", rule.ports().toString());
        for (int port : new int[] {7000, 443, 8000, 8099}) {
            assertSame(rule, config.rules().match(ip("192.0.2.1"), port, Protocol.TCP), "port " + port);
        }
        assertNull(config.rules().match(ip("192.0.2.1"), 8100, Protocol.TCP));
    }

    @Test
    void optionalKeysMayBeNullAndHostsMayBeEmptyBesideCidrs() throws Exception {
        IfpinConfig config = ConfigLoader.parse("""
                ifpin.rules = [
                  { name = null, hosts = [], cidrs = ["192.0.2.0/24"], ports = null, protocols = null, interface = b0 }
                ]
                """, "o.conf");
        Rule rule = config.rules().rules().get(0);
        assertEquals("rule-1", rule.name());
        assertTrue(rule.ports().isAll());
    }

    @Test
    void keysOutsideTheIfpinBlockAreIgnored() throws Exception {
        IfpinConfig config = ConfigLoader.parse("""
                app { anything = 1 }
                ifpin.rules = [ { cidrs = ["192.0.2.0/24"], interface = "b0" } ]
                """, "x.conf");
        assertEquals(1, config.rules().rules().size());
    }

    @Test
    void substitutionsAreResolved() throws Exception {
        IfpinConfig config = ConfigLoader.parse("""
                vpn = "tun0"
                ifpin.rules = [ { cidrs = ["192.0.2.0/24"], interface = ${vpn} } ]
                ifpin.log.file = ${?IFPIN_TEST_VARIABLE_THAT_IS_NOT_SET}
                """, "s.conf");
        assertEquals("tun0", config.rules().rules().get(0).interfaceName());
        assertEquals(Optional.empty(), config.log().file());
    }

    @Test
    void loadReadsAFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("ifpin.conf");
        Files.writeString(file, EXAMPLE);
        IfpinConfig config = ConfigLoader.load(file);
        assertEquals(file.toString(), config.source());
        assertEquals(file + ":8", config.rules().rules().get(1).origin());
    }

    @Test
    void theAgentsReferenceConfDefinesTheDefaults() {
        assertTrue(ConfigLoader.class.getResource("/reference.conf") != null);
    }
}
