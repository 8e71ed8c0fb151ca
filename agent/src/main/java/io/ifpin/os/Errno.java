package io.ifpin.os;

/** The errno values ifpin explains; numbers from asm-generic/errno-base.h and asm-generic/errno.h (Linux). */
public final class Errno {

    public static final int EPERM = 1;
    public static final int EBADF = 9;
    public static final int EFAULT = 14;
    public static final int ENODEV = 19;
    public static final int EINVAL = 22;
    public static final int ENOTSOCK = 88;
    public static final int ENOPROTOOPT = 92;

    private Errno() {
    }

    public static String name(int errno) {
        switch (errno) {
            case EPERM: return "EPERM";
            case EBADF: return "EBADF";
            case EFAULT: return "EFAULT";
            case ENODEV: return "ENODEV";
            case EINVAL: return "EINVAL";
            case ENOTSOCK: return "ENOTSOCK";
            case ENOPROTOOPT: return "ENOPROTOOPT";
            default: return "errno " + errno;
        }
    }

    public static String describe(int errno) {
        switch (errno) {
            case EPERM: return "Operation not permitted";
            case EBADF: return "Bad file descriptor";
            case EFAULT: return "Bad address";
            case ENODEV: return "No such device";
            case EINVAL: return "Invalid argument";
            case ENOTSOCK: return "Socket operation on non-socket";
            case ENOPROTOOPT: return "Protocol not available";
            default: return "see errno(3)";
        }
    }
}
