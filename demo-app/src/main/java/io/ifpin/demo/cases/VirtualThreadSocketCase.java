package io.ifpin.demo.cases;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The plain socket case on a virtual thread, where the JDK uses a different (non-blocking,
 * poller-based) implementation underneath. The demo is compiled for Java 17, so the virtual
 * thread API is reached through a method handle; before Java 21 the case is not applicable.
 */
public final class VirtualThreadSocketCase implements SocketCase {

    private final SocketCase delegate = new PlainSocketCase();

    @Override
    public String name() {
        return "virtual-thread-socket";
    }

    @Override
    public String protocol() {
        return "tcp";
    }

    @Override
    public String run(String host) throws Exception {
        MethodHandle startVirtualThread = startVirtualThreadHandle();
        if (startVirtualThread == null) {
            return NOT_APPLICABLE;
        }
        AtomicReference<String> result = new AtomicReference<>();
        AtomicReference<Exception> failure = new AtomicReference<>();
        Runnable body = () -> {
            try {
                result.set(delegate.run(host));
            } catch (Exception e) {
                failure.set(e);
            }
        };
        Thread thread;
        try {
            thread = (Thread) startVirtualThread.invoke(body);
        } catch (Throwable t) {
            throw new IllegalStateException("could not start a virtual thread", t);
        }
        thread.join(2L * Ports.IO_TIMEOUT_MILLIS);
        if (thread.isAlive()) {
            thread.interrupt();
            throw new TimeoutException("virtual thread did not finish");
        }
        if (failure.get() != null) {
            throw failure.get();
        }
        return result.get();
    }

    /** {@code Thread.startVirtualThread(Runnable)} on Java 21+, else null. */
    private static MethodHandle startVirtualThreadHandle() {
        if (Runtime.version().feature() < 21) {
            return null; // 19/20 have the method as a preview API that throws unless enabled
        }
        try {
            return MethodHandles.publicLookup().findStatic(Thread.class, "startVirtualThread",
                    MethodType.methodType(Thread.class, Runnable.class));
        } catch (ReflectiveOperationException e) {
            return null;
        }
    }
}
