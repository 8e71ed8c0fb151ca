package io.ifpin.core;

import io.ifpin.bridge.PinBridge;

import java.io.File;

/**
 * One ifpin per JVM, however often {@code -javaagent} names it (the flag twice, or {@code JAVA_TOOL_OPTIONS} plus the
 * command line). Each {@code -javaagent} runs in its own class loader, so the record lives in the bootstrap
 * {@link PinBridge}. The first agent that pins owns the JVM and every later one steps aside; an agent with nothing to
 * pin installs nothing, so a later one that pins still installs (a host-wide empty config does not shadow an
 * application's own).
 */
final class Installation {

    /** Where the record is kept: {@link PinBridge} in the JVM, a field in tests. */
    interface Record {
        String get();

        boolean replace(String expected, String replacement);
    }

    static final Record BRIDGE = new Record() {
        @Override
        public String get() {
            return PinBridge.installation();
        }

        @Override
        public boolean replace(String expected, String replacement) {
            return PinBridge.replaceInstallation(expected, replacement);
        }
    };

    /** An agent that recorded itself: whether it pins, and its config file. */
    record Owner(boolean pins, String config) {
        private static final String PINS = "pins ";
        private static final String IDLE = "idle ";

        String encode() {
            return (pins ? PINS : IDLE) + config;
        }

        static Owner decode(String text) {
            if (text == null) {
                return null;
            }
            return new Owner(!text.startsWith(IDLE), text.substring(Math.min(text.length(), PINS.length())));
        }

        /** Whether {@code location} names this owner's config file (compared as absolute, normalised paths). */
        boolean sameConfig(String location) {
            return location != null && canonical(location).equals(canonical(config));
        }

        private static String canonical(String path) {
            return new File(path).getAbsoluteFile().toPath().normalize().toString();
        }
    }

    private final Record record;

    Installation(Record record) {
        this.record = record;
    }

    /** The owner that pins, if any: then this agent does nothing, not even read its config. */
    Owner pinningOwner() {
        try {
            Owner owner = Owner.decode(record.get());
            return owner != null && owner.pins() ? owner : null;
        } catch (LinkageError olderBridge) {
            // The bridge was defined by an ifpin without this record: that one owns the JVM.
            return new Owner(true, "(an ifpin of another version)");
        }
    }

    /**
     * Records this agent; null when it may go on (install, or report that it has nothing to pin), else the owner
     * that stays: one that pins, or, for an agent with nothing to pin, an earlier one with nothing to pin.
     */
    Owner claim(boolean pins, String config) {
        for (int attempt = 0; attempt < 3; attempt++) { // premain runs one agent at a time; this is belt and braces
            String current = record.get();
            Owner owner = Owner.decode(current);
            if (owner != null && (owner.pins() || !pins)) {
                return owner;
            }
            if (record.replace(current, new Owner(pins, config).encode())) {
                return null;
            }
        }
        return Owner.decode(record.get());
    }
}
