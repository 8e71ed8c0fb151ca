package io.ifpin.pin;

import java.io.FileDescriptor;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Reads the OS file descriptor number out of a {@link FileDescriptor}. The field is private to {@code java.io};
 * the installer opens that package to the agent's module with {@code Instrumentation.redefineModule} before this
 * class is first used, so no {@code --add-opens} is needed on the command line.
 */
public final class FileDescriptors {

    private static final VarHandle FD;

    static {
        try {
            FD = MethodHandles.privateLookupIn(FileDescriptor.class, MethodHandles.lookup())
                    .findVarHandle(FileDescriptor.class, "fd", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private FileDescriptors() {
    }

    /** The descriptor number, or -1 when the socket is closed (or {@code fd} is null). */
    public static int intValue(FileDescriptor fd) {
        return fd == null ? -1 : (int) FD.get(fd);
    }
}
