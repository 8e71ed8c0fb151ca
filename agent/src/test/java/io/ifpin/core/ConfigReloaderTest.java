package io.ifpin.core;

import io.ifpin.config.ConfigLoader;
import io.ifpin.config.IfpinConfig;
import io.ifpin.config.Mode;
import io.ifpin.log.LogCapture;
import io.ifpin.metrics.Metrics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigReloaderTest {
    @TempDir
    Path dir;

    private static final String GOOD = """
            ifpin {
              reload-interval = 1s
              rules = [ { name = storage, cidrs = ["192.0.2.0/24"], interface = b0 } ]
            }
            """;

    @Test
    void appliesAValidChangeKeepsTheRulesOnABrokenOneAndReportsEachBrokenVersionOnce() throws Exception {
        Path file = Files.writeString(dir.resolve("ifpin.conf"), GOOD);
        IfpinConfig initial = ConfigLoader.load(file);
        List<IfpinConfig> applied = new ArrayList<>();
        Metrics metrics = new Metrics();
        ConfigReloader reloader = new ConfigReloader(file, initial, Files.readAllBytes(file), applied::add, metrics);
        LogCapture log = LogCapture.start();

        reloader.checkOnce();
        assertEquals(List.of(), applied, "unchanged text: nothing to do");

        Files.writeString(file, GOOD.replace("interface = b0", "interface = b0, action = block"));
        reloader.checkOnce();
        reloader.checkOnce();
        assertEquals(List.of(), applied, "a broken file is never applied");
        assertEquals(1, metrics.reloadFailures(), "reported once per broken version");
        String text = String.join("\n", log.lines());
        assertTrue(text.contains("ERROR config reload from " + file + " refused, the 1 rule(s) of version "), text);
        assertTrue(text.contains(file + ":3: ifpin.rules[0].action = \"block\": unknown action"), text);

        Files.writeString(file, GOOD.replace("interface = b0", "action = deny").replace("1s", "2s"));
        reloader.checkOnce();
        assertEquals(1, applied.size());
        assertEquals("storage: cidrs [192.0.2.0/24] -> deny", applied.get(0).rules().rules().get(0).describe());
        assertEquals(1, metrics.reloads());
        assertEquals(ConfigVersion.of(Files.readAllBytes(file)), metrics.config().version());
        text = String.join("\n", log.lines());
        assertTrue(text.contains("INFO config reloaded from " + file), text);
        assertTrue(text.contains("WARN config reload: ifpin.reload-interval changed"), text);

        Files.delete(file);
        reloader.checkOnce();
        assertEquals(2, metrics.reloadFailures());
        assertTrue(String.join("\n", log.lines()).contains("is gone; the rules in force stay"));
    }

    /**
     * A Kubernetes ConfigMap mounted as a directory: {@code ifpin.conf -> ..data/ifpin.conf}, {@code ..data ->
     * ..2026_12_04_1}; the kubelet writes a new timestamped directory and swaps {@code ..data} to it in one rename.
     * The reloader reads through the links, so the swap is a change like any other (docs/deployment.md, "Reload").
     */
    @Test
    void aConfigMapStyleSymlinkSwapIsReloaded() throws Exception {
        Path first = Files.createDirectory(dir.resolve("..2026_12_04_1"));
        Files.writeString(first.resolve("ifpin.conf"), GOOD);
        Files.createSymbolicLink(dir.resolve("..data"), first.getFileName());
        Path file = Files.createSymbolicLink(dir.resolve("ifpin.conf"), Path.of("..data", "ifpin.conf"));
        IfpinConfig initial = ConfigLoader.load(file);
        List<IfpinConfig> applied = new ArrayList<>();
        Metrics metrics = new Metrics();
        ConfigReloader reloader = new ConfigReloader(file, initial, Files.readAllBytes(file), applied::add, metrics);

        Path second = Files.createDirectory(dir.resolve("..2026_12_04_2"));
        Files.writeString(second.resolve("ifpin.conf"), GOOD.replace("interface = b0", "action = deny"));
        Path swap = Files.createSymbolicLink(dir.resolve("..data_tmp"), second.getFileName());
        Files.move(swap, dir.resolve("..data"), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        reloader.checkOnce();

        assertEquals(1, applied.size(), "the swapped-in text is applied (a stricter policy: at once)");
        assertEquals("storage: cidrs [192.0.2.0/24] -> deny", applied.get(0).rules().rules().get(0).describe());
        assertEquals(ConfigVersion.of(Files.readAllBytes(file)), metrics.config().version());
    }

    private static final String ALLOW_LIST = """
            ifpin {
              reload-interval = 200ms
              default-action = deny
              on-error = fail-closed
              rules = [ { name = server, cidrs = ["203.0.113.10/32"], interface = b0 } ]
            }
            """;

    private final AtomicLong nanos = new AtomicLong();
    private final List<IfpinConfig> applied = new ArrayList<>();
    private final Metrics metrics = new Metrics();

    private ConfigReloader reloader(Path file) throws Exception {
        return new ConfigReloader(file, ConfigLoader.load(file), Files.readAllBytes(file), applied::add, metrics,
                nanos::get);
    }

    @Test
    void switchingToObserveWaitsForTheFileToSettleAndBackToEnforceAppliesAtOnce() throws Exception {
        Path file = Files.writeString(dir.resolve("ifpin.conf"), ALLOW_LIST);
        ConfigReloader reloader = reloader(file);
        LogCapture log = LogCapture.start();
        String observe = ALLOW_LIST.replace("reload-interval = 200ms", "reload-interval = 200ms\n  mode = observe");
        Files.writeString(file, observe);
        reloader.checkOnce();
        assertEquals(List.of(), applied, "enforce -> observe lowers enforcement: it waits");
        assertEquals(1, count(log, "lowers enforcement: ifpin.mode: enforce -> observe (no socket is pinned or"
                + " refused)"), log.lines().toString());
        nanos.addAndGet(1_000_000_000L);
        reloader.checkOnce();
        assertEquals(1, applied.size());
        assertTrue(applied.get(0).observing());
        assertEquals(1, count(log, "INFO config reloaded from " + file), log.lines().toString());
        assertTrue(log.lines().stream().anyMatch(l -> l.contains("observe mode (no socket is touched), 1 rule(s)")),
                log.lines().toString());

        Files.writeString(file, ALLOW_LIST);
        reloader.checkOnce();
        assertEquals(2, applied.size(), "observe -> enforce applies at once");
        assertFalse(applied.get(1).observing());
    }

    @Test
    void theModePropertyHoldsOnReload() throws Exception {
        Path file = Files.writeString(dir.resolve("ifpin.conf"), ALLOW_LIST);
        ConfigReloader reloader = reloader(file);
        System.setProperty(Mode.PROPERTY, "observe");
        try {
            Files.writeString(file, ALLOW_LIST.replace("203.0.113.10/32", "203.0.113.11/32"));
            reloader.checkOnce();
            nanos.addAndGet(1_000_000_000L);
            reloader.checkOnce();
        } finally {
            System.clearProperty(Mode.PROPERTY);
        }
        assertEquals(1, applied.size());
        assertTrue(applied.get(0).observing(), "-Difpin.mode=observe holds for a file without ifpin.mode");
    }

    private static long count(LogCapture log, String fragment) {
        return log.lines().stream().filter(line -> line.contains(fragment)).count();
    }

    @Test
    void anEmptiedFileIsRefusedOnceAndTheRulesStay() throws Exception {
        Path file = Files.writeString(dir.resolve("ifpin.conf"), ALLOW_LIST);
        ConfigReloader reloader = reloader(file);
        String version = ConfigVersion.of(Files.readAllBytes(file));
        LogCapture log = LogCapture.start();

        Files.writeString(file, "");
        reloader.checkOnce();
        reloader.checkOnce();
        Files.writeString(file, "\n  \n");
        reloader.checkOnce();
        assertEquals(List.of(), applied, "an empty file never applies");
        assertEquals(1, metrics.reloadFailures(), "once, however the empty file looks");
        assertEquals(1, count(log, "ERROR config reload from " + file + " refused: the file is empty, and the 1"
                + " rule(s) of version " + version + " stay in force"), log.lines().toString());
        assertEquals(0, count(log, "restart"), "no restart-only WARN for a file that is not applied");

        Files.writeString(file, ALLOW_LIST); // the editor's write completes
        reloader.checkOnce();
        reloader.checkOnce();
        assertEquals(List.of(), applied, "the text in force is not applied again");
        assertEquals(1, count(log, "INFO config file " + file + " is back to version " + version + ", the one in"
                + " force; nothing changes"), log.lines().toString());
    }

    @Test
    void aConfigThatLowersEnforcementAppliesOnlyAfterTheFileSettled() throws Exception {
        Path file = Files.writeString(dir.resolve("ifpin.conf"), ALLOW_LIST);
        ConfigReloader reloader = reloader(file);
        assertEquals(Duration.ofSeconds(1), reloader.settleTime(), "200 ms interval: the 1 s floor");
        LogCapture log = LogCapture.start();

        String prefix = "ifpin {\n  reload-interval = 200ms\n}\n"; // a half-written file that parses
        Files.writeString(file, prefix);
        reloader.checkOnce();
        nanos.addAndGet(999_000_000L);
        reloader.checkOnce();
        assertEquals(List.of(), applied, "not yet settled");
        assertEquals(1, count(log, "WARN config reload from " + file), log.lines().toString());
        String warning = log.lines().stream().filter(l -> l.contains("lowers enforcement")).findFirst().orElseThrow();
        assertTrue(warning.contains("unmatched sockets: refused (deny) -> allowed; rule 'server' (server: cidrs"
                + " [203.0.113.10/32] (fail-closed) -> b0) is gone or matches differently. It applies only if the file stays unchanged"
                + " for 1000 ms"), warning);

        Files.writeString(file, ALLOW_LIST); // the rest arrives: back to the version in force
        reloader.checkOnce();
        nanos.addAndGet(5_000_000_000L);
        reloader.checkOnce();
        assertEquals(List.of(), applied, "the prefix never applied");

        Files.writeString(file, prefix); // now meant: it stays
        reloader.checkOnce();
        nanos.addAndGet(1_000_000_000L);
        reloader.checkOnce();
        assertEquals(1, applied.size(), "applied once the file stayed unchanged for 1 s");
        assertEquals(0, applied.get(0).rules().rules().size());
        assertEquals(1, count(log, "lowers enforcement, applied now that the file stayed unchanged for 1000 ms:"
                + " unmatched sockets: refused (deny) -> allowed"), log.lines().toString());
        assertEquals(1, metrics.reloads());
    }

    @Test
    void aChangeThatLowersNothingAppliesAtOnceAndDropsAWaitingOne() throws Exception {
        Path file = Files.writeString(dir.resolve("ifpin.conf"), ALLOW_LIST);
        ConfigReloader reloader = reloader(file);
        Files.writeString(file, ALLOW_LIST.replace("default-action = deny", "default-action = allow"));
        reloader.checkOnce();
        assertEquals(List.of(), applied);
        String stricter = ALLOW_LIST.replace("rules = [", "rules = [ { name = extra, cidrs = [\"192.0.2.0/24\"],"
                + " action = deny },");
        Files.writeString(file, stricter);
        reloader.checkOnce();
        assertEquals(1, applied.size(), "a new deny rule lowers nothing: at once");
        nanos.addAndGet(10_000_000_000L);
        reloader.checkOnce();
        assertEquals(1, applied.size());
    }

    /**
     * An included file is not part of the text compared: one caught missing (or half-written) when the wait began must
     * not be what applies once the main file settled.
     */
    @Test
    void aSettledConfigIsReadAgainWithItsIncludesBeforeItApplies() throws Exception {
        Path extra = Files.writeString(dir.resolve("deny.conf"),
                "ifpin.rules = [ { name = blocked, cidrs = [\"198.51.100.0/24\"], action = deny } ]\n");
        String main = "ifpin.reload-interval = 200ms\ninclude \"deny.conf\"\n";
        Path file = Files.writeString(dir.resolve("ifpin.conf"), main);
        ConfigReloader reloader = reloader(file);
        LogCapture log = LogCapture.start();

        Files.delete(extra); // the included file is being replaced ...
        Files.writeString(file, main + "# edited\n"); // ... as the main file changes
        reloader.checkOnce();
        assertEquals(1, count(log, "rule 'blocked' (blocked: cidrs [198.51.100.0/24] -> deny) is gone"),
                log.lines().toString());
        Files.writeString(extra, // ... and is back before the main file settled
                "ifpin.rules = [ { name = blocked, cidrs = [\"198.51.100.0/24\"], action = deny } ]\n");
        nanos.addAndGet(1_000_000_000L);
        reloader.checkOnce();
        assertEquals(1, applied.size(), log.lines().toString());
        assertEquals(List.of("blocked"), applied.get(0).rules().rules().stream().map(r -> r.name()).toList(),
                "the deny rule of the included file stays");
        assertEquals(0, count(log, "applied now that the file stayed unchanged"), log.lines().toString());
    }

    @Test
    void aSettledConfigWhoseIncludeBrokeMeanwhileIsRefusedAndReported() throws Exception {
        Path extra = Files.writeString(dir.resolve("deny.conf"),
                "ifpin.rules = [ { name = blocked, cidrs = [\"198.51.100.0/24\"], action = deny } ]\n");
        String main = "ifpin.reload-interval = 200ms\ninclude \"deny.conf\"\n";
        Path file = Files.writeString(dir.resolve("ifpin.conf"), main + "ifpin.default-action = deny\n");
        ConfigReloader reloader = reloader(file);
        LogCapture log = LogCapture.start();

        Files.writeString(file, main); // lowers: the default back to allow
        reloader.checkOnce();
        Files.writeString(extra, "ifpin.rules = [ { name = blocked, action = nope } ]\n");
        nanos.addAndGet(1_000_000_000L);
        reloader.checkOnce();
        reloader.checkOnce();
        assertEquals(List.of(), applied, log.lines().toString());
        assertEquals(1, metrics.reloadFailures(), log.lines().toString());
    }

    /** Issue 21: the second broken edit still names the version in force, not the first broken file's hash. */
    @Test
    void everyRefusalNamesTheVersionInForce() throws Exception {
        Path file = Files.writeString(dir.resolve("ifpin.conf"), GOOD);
        String inForce = ConfigVersion.of(Files.readAllBytes(file));
        ConfigReloader reloader = new ConfigReloader(file, ConfigLoader.load(file), Files.readAllBytes(file),
                applied::add, metrics);
        LogCapture log = LogCapture.start();
        Files.writeString(file, GOOD.replace("interface = b0", "interface = b0, action = block"));
        reloader.checkOnce();
        Files.writeString(file, GOOD.replace("interface = b0", "interface = b0, action = nope"));
        reloader.checkOnce();
        assertEquals(2, count(log, "refused, the 1 rule(s) of version " + inForce + " stay in force"),
                log.lines().toString());
    }

    @Test
    void aFifoInPlaceOfTheFileIsRefusedWithoutBlocking() throws Exception {
        Path file = Files.writeString(dir.resolve("ifpin.conf"), GOOD);
        ConfigReloader reloader = reloader(file);
        Files.delete(file);
        Process mkfifo = new ProcessBuilder("mkfifo", file.toString()).start();
        assertEquals(0, mkfifo.waitFor());
        LogCapture log = LogCapture.start();
        reloader.checkOnce(); // would block forever in open() without the file-type check
        assertEquals(List.of(), applied);
        assertEquals(1, count(log, file + ": is a FIFO (named pipe), not a regular file"), log.lines().toString());
    }

    @Test
    void theVersionIsTheStartOfTheSha256OfTheText() {
        // printf 'ifpin {}\n' | sha256sum | cut -c1-12
        assertEquals("a45d53acc61b", ConfigVersion.of("ifpin {}\n".getBytes(StandardCharsets.UTF_8)));
    }
}
