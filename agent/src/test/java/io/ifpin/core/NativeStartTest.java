package io.ifpin.core;

import io.ifpin.os.SocketOptions;
import io.ifpin.os.UnavailableSockets;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NativeStartTest {

    /** Native access loads on a daemon of ifpin's own that carries nothing of the application's. */
    @Test
    void loadsOnADaemonThreadOfItsOwn() throws Throwable {
        SocketOptions loaded = new UnavailableSockets();
        AtomicReference<Thread> on = new AtomicReference<>();
        NativeStart start = NativeStart.begin(() -> {
            on.set(Thread.currentThread());
            return loaded;
        }, false);
        assertSame(loaded, start.await());
        assertEquals("ifpin-native", on.get().getName());
        assertTrue(on.get().isDaemon());
        assertNull(on.get().getContextClassLoader());
    }

    /** ifpin-init gets the failure itself, to report it as before (AgentInstaller's "cannot call SO_BINDTODEVICE"). */
    @Test
    void theFailureReachesTheCaller() {
        UnsatisfiedLinkError failure = new UnsatisfiedLinkError("no libjnidispatch here");
        NativeStart start = NativeStart.begin(() -> {
            throw failure;
        }, false);
        assertSame(failure, assertThrows(UnsatisfiedLinkError.class, start::await));
    }

    /**
     * The real choice: what NativeCalls loads in this JVM (FFM on Java 22+, JNA before), also while ifpin-init
     * defines the native-access module at the same time ({@code help}).
     */
    @Test
    void loadsWhatNativeCallsChooses() throws Throwable {
        NativeStart start = NativeStart.begin(NativeCalls.Choice.AUTO);
        start.help();
        SocketOptions sockets = start.await();
        assertEquals(Runtime.version().feature() >= 22 ? "FFM" : "JNA", sockets.implementation());
        List<String> names = sockets.interfaceNames(); // over rtnetlink, whose handles ifpin-native made on FFM
        assertTrue(names.contains("lo"), names.toString());
    }
}
