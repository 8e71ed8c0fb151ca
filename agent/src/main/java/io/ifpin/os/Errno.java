package io.ifpin.os;

/** The errno values ifpin explains; numbers from asm-generic/errno-base.h and asm-generic/errno.h (Linux). */
public final class Errno {

    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EBADF = 9;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EFAULT = 14;
    public static final int ENODEV = 19;
    public static final int EINVAL = 22;
    public static final int ENOTSOCK = 88;
    public static final int ENOPROTOOPT = 92;
    public static final int ENOSYS = 38;
    public static final int EAFNOSUPPORT = 97;
    public static final int ENOBUFS = 105;
    public static final int EADDRINUSE = 98;
    public static final int EADDRNOTAVAIL = 99;

    private Errno() {
    }

    public static String name(int errno) {
        switch (errno) {
            case EPERM: return "EPERM";
            case ENOENT: return "ENOENT";
            case EBADF: return "EBADF";
            case ENOMEM: return "ENOMEM";
            case EACCES: return "EACCES";
            case EFAULT: return "EFAULT";
            case ENODEV: return "ENODEV";
            case EINVAL: return "EINVAL";
            case ENOTSOCK: return "ENOTSOCK";
            case ENOPROTOOPT: return "ENOPROTOOPT";
            case ENOSYS: return "ENOSYS";
            case EAFNOSUPPORT: return "EAFNOSUPPORT";
            case ENOBUFS: return "ENOBUFS";
            case EADDRINUSE: return "EADDRINUSE";
            case EADDRNOTAVAIL: return "EADDRNOTAVAIL";
            default: return "errno " + errno;
        }
    }

    public static String describe(int errno) {
        switch (errno) {
            case EPERM: return "Operation not permitted";
            case ENOENT: return "No such file or directory";
            case EBADF: return "Bad file descriptor";
            case ENOMEM: return "Cannot allocate memory";
            case EACCES: return "Permission denied";
            case EFAULT: return "Bad address";
            case ENODEV: return "No such device";
            case EINVAL: return "Invalid argument";
            case ENOTSOCK: return "Socket operation on non-socket";
            case ENOPROTOOPT: return "Protocol not available";
            case ENOSYS: return "Function not implemented";
            case ENOBUFS: return "No buffer space available";
            case EADDRINUSE: return "Address already in use";
            case EADDRNOTAVAIL: return "Cannot assign requested address";
            default: return "see errno(3)";
        }
    }
}
