package io.ifpin.core;

import org.junit.jupiter.api.Test;

import java.util.Objects;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InstallationTest {

    /** What PinBridge keeps for the whole JVM; one per test here. */
    static final class Field implements Installation.Record {
        String value;

        @Override
        public String get() {
            return value;
        }

        @Override
        public boolean replace(String expected, String replacement) {
            if (!Objects.equals(value, expected)) {
                return false;
            }
            value = replacement;
            return true;
        }
    }

    @Test
    void theFirstAgentThatPinsOwnsTheJvmAndLaterOnesStepAside() {
        Installation jvm = new Installation(new Field());
        assertNull(jvm.pinningOwner());
        assertNull(jvm.claim(true, "/etc/ifpin/a.conf"));
        Installation.Owner owner = jvm.pinningOwner();
        assertEquals(new Installation.Owner(true, "/etc/ifpin/a.conf"), owner);
        assertTrue(owner.sameConfig("/etc/ifpin/./a.conf"));
        assertFalse(owner.sameConfig("/etc/ifpin/b.conf"));
        assertEquals(owner, jvm.claim(true, "/etc/ifpin/b.conf"));
        assertEquals(owner, jvm.claim(false, "/etc/ifpin/empty.conf"));
    }

    @Test
    void anAgentWithNothingToPinDoesNotShadowOneThatPins() {
        Installation jvm = new Installation(new Field());
        assertNull(jvm.claim(false, "/etc/ifpin/host-wide.conf"));
        assertNull(jvm.pinningOwner(), "an idle agent installed nothing");
        assertEquals(new Installation.Owner(false, "/etc/ifpin/host-wide.conf"),
                jvm.claim(false, "/etc/ifpin/host-wide.conf"), "a second idle agent steps aside");
        assertNull(jvm.claim(true, "/opt/app/ifpin.conf"), "an agent that pins installs after an idle one");
        assertEquals(new Installation.Owner(true, "/opt/app/ifpin.conf"), jvm.pinningOwner());
    }
}
