package io.ifpin.config;

/**
 * {@code -Difpin.mode}: overrides the file's {@code ifpin.mode} at startup and on every reload, so that a reload of a
 * file without the key never switches an operator's {@code -Difpin.mode=observe} JVM to enforcing (or back).
 * Checked at startup like {@code -Difpin.log.level}: a bad value stops the JVM.
 */
public final class ModeOverride {
    private ModeOverride() {
    }

    /**
     * The loaded config with the property's mode, or as it is when the property is not set.
     *
     * @throws IllegalArgumentException for a value that is not a mode
     */
    public static ConfigLoader.Loaded apply(ConfigLoader.Loaded loaded, String property) {
        if (property == null) {
            return loaded;
        }
        return new ConfigLoader.Loaded(loaded.config().withMode(Mode.parse(property)), loaded.text(),
                loaded.warnings());
    }
}
