package io.ifpin.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Included files are read like the main one, and a missing plain include is a warning with its line (issue 19, 7). */
class ConfigIncludesTest {
    @TempDir
    Path dir;

    @Test
    void aMissingPlainIncludeIsAWarningNamingTheIncludingLine() throws Exception {
        Path main = Files.writeString(dir.resolve("ifpin.conf"), """
                ifpin.default-action = deny
                include "rules.d/storage.conf"
                """);
        ConfigLoader.Loaded loaded = ConfigLoader.loadWithWarnings(main);
        assertEquals(List.of(main + ":2: include \"rules.d/storage.conf\": file not found (looked for "
                + dir.resolve("rules.d/storage.conf") + "), so the settings and rules it would hold are NOT loaded."
                + " Fix: create the file or correct the name; write include required(\"rules.d/storage.conf\") to"
                + " make a missing file an error."), loaded.warnings());
        assertEquals("deny", loaded.config().defaultRule().action().label(), "the rest still loads");
    }

    /** A loop of includes is named as one, with the including line, not "nested too deeply" (a stack overflow). */
    @Test
    void anIncludeLoopIsRefusedWithTheIncludingLine() throws Exception {
        Path a = Files.writeString(dir.resolve("a.conf"), "ifpin.default-action = deny\ninclude \"b.conf\"\n");
        Path b = Files.writeString(dir.resolve("b.conf"), "\ninclude \"a.conf\"\n");
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> ConfigLoader.load(a));
        assertEquals(List.of(b.toRealPath() + ":2: include \"a.conf\": " + a + " is being read already (" + a.toRealPath()
                + " includes " + b.toRealPath() + "), so this include would never end. Fix: remove the include that"
                + " leads back to " + a + "."), e.problems());
    }

    @Test
    void theSameFileIncludedTwiceWithoutALoopLoads() throws Exception {
        Files.writeString(dir.resolve("common.conf"), "ifpin.default-action = deny\n");
        Files.writeString(dir.resolve("b.conf"), "include \"common.conf\"\n");
        Path a = Files.writeString(dir.resolve("a.conf"), "include \"common.conf\"\ninclude \"b.conf\"\n");
        assertEquals("deny", ConfigLoader.load(a).defaultRule().action().label());
    }

    @Test
    void includedRulesLoadRelativeToTheIncludingFileAndNameTheirOwnFile() throws Exception {
        Files.createDirectories(dir.resolve("rules.d"));
        Path storage = Files.writeString(dir.resolve("rules.d/storage.conf"),
                "\nifpin.rules = [ { name = storage, cidrs = [\"192.0.2.0/24\"], interface = b0 } ]\n");
        Path main = Files.writeString(dir.resolve("ifpin.conf"), "include \"rules.d/storage\"\n"); // basename: .conf
        ConfigLoader.Loaded loaded = ConfigLoader.loadWithWarnings(main);
        assertEquals(List.of(), loaded.warnings());
        assertEquals(storage + ":2", loaded.config().rules().rules().get(0).origin());
    }
}
