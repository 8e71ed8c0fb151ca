package io.ifpin.core;

import io.ifpin.config.ConfigLoader;
import io.ifpin.config.IfpinConfig;
import io.ifpin.log.LogCapture;
import io.ifpin.metrics.Metrics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
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

    @Test
    void theVersionIsTheStartOfTheSha256OfTheText() {
        // printf 'ifpin {}\n' | sha256sum | cut -c1-12
        assertEquals("a45d53acc61b", ConfigVersion.of("ifpin {}\n".getBytes(StandardCharsets.UTF_8)));
    }
}
