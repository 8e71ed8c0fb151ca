package io.ifpin.config;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertFalse;

/** Every shipped sample must load: operators copy them. */
class ConfigSamplesTest {
    /** Relative to the agent module, where Maven runs the tests. */
    private static final Path SAMPLES = Path.of("../config-samples");

    @TestFactory
    Stream<DynamicTest> everySampleIsValid() throws IOException {
        List<Path> samples;
        try (Stream<Path> files = Files.list(SAMPLES)) {
            samples = files.filter(file -> file.getFileName().toString().endsWith(".conf")).sorted().toList();
        }
        assertFalse(samples.isEmpty(), "no .conf files in " + SAMPLES.toAbsolutePath());
        return samples.stream().map(sample -> DynamicTest.dynamicTest(sample.getFileName().toString(), () -> {
            IfpinConfig config = ConfigLoader.load(sample);
            assertFalse(config.rules().isEmpty(), sample + " has no rules");
        }));
    }
}
