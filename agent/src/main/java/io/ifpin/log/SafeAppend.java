package io.ifpin.log;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Opens ifpin's log and audit files for appending, so that a JVM running as root cannot be made to write where
 * another user chooses, and so that what ifpin writes is not readable by everyone:
 * <ul>
 *   <li>a final symbolic link is followed only when this process's user owns it and it is not in a sticky
 *       world-writable directory such as /tmp (where anyone can plant one); otherwise the open is refused with a
 *       {@link Refused} that says why and how to fix it;</li>
 *   <li>the file itself is opened with {@code O_NOFOLLOW}, so a link planted after the check is refused too;</li>
 *   <li>a new file is created {@code rw-r-----} (0640): the permissions are given to {@code open(2)}, which the umask
 *       can narrow but not widen, so {@code umask 000} still gives 0640. An existing file keeps its permissions.</li>
 * </ul>
 */
public final class SafeAppend {

    /** 0640: the application's user writes, its group reads (log shippers), others nothing. */
    public static final Set<PosixFilePermission> PERMISSIONS = PosixFilePermissions.fromString("rw-r-----");
    private static final FileAttribute<Set<PosixFilePermission>> CREATE_AS =
            PosixFilePermissions.asFileAttribute(PERMISSIONS);
    private static final int STICKY = 01000;
    private static final int OTHERS_WRITE = 02;
    // st_mode file types, from <sys/stat.h>
    private static final int S_IFMT = 0170000;
    private static final int S_IFIFO = 0010000;
    private static final int S_IFSOCK = 0140000;
    /** Links followed at most from the configured path, as the kernel's MAXSYMLINKS. */
    private static final int MAX_LINKS = 40;
    private static final String REFUSED_FIX = "remove the link and let ifpin create the file, or name a path in a"
            + " directory that only the application's user can write";

    /** An open ifpin refused on purpose: {@link #getMessage()} says what and why, {@link #fix()} what to do. */
    public static final class Refused extends IOException {
        private final String fix;

        Refused(String message, String fix) {
            super(message);
            this.fix = fix;
        }

        public String fix() {
            return fix;
        }
    }

    private SafeAppend() {
    }

    /** Opens {@code file} for appending, creating it as described above. */
    public static FileChannel open(Path file) throws IOException {
        Path target = checkedTarget(file.toAbsolutePath());
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)
                && blocksOnOpen(target)) {
            throw new Refused(target + " is a FIFO or a socket, not a file; ifpin does not open it (opening a FIFO for"
                    + " writing waits for a reader, which would hang the JVM)", "name a regular file");
        }
        return FileChannel.open(target, Set.of(StandardOpenOption.CREATE, StandardOpenOption.APPEND,
                StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS), CREATE_AS);
    }

    /**
     * {@code file}, or where its symbolic links lead when ifpin may follow each of them (a link to a link is checked
     * at every step: an own link to one planted in /tmp is refused too); else {@link Refused}. What is returned is
     * not a link when checked, and is opened with O_NOFOLLOW.
     */
    static Path checkedTarget(Path file) throws IOException {
        Path current = file;
        for (int hops = 0; hops < MAX_LINKS; hops++) {
            if (!Files.isSymbolicLink(current)) {
                return current;
            }
            Path directory = current.getParent();
            Path points = Files.readSymbolicLink(current);
            int linkOwner = (Integer) Files.getAttribute(current, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            int directoryMode = (Integer) Files.getAttribute(directory, "unix:mode");
            String refusal = refusal(linkOwner, processUid(), directoryMode);
            if (refusal != null) {
                throw new Refused(current + " is a symbolic link (to " + points + ") " + refusal
                        + "; ifpin does not follow it, so that no other user can point ifpin's writes at a file of"
                        + " their choosing", REFUSED_FIX);
            }
            current = directory.resolve(points);
        }
        throw new Refused(file + " leads through more than " + MAX_LINKS + " symbolic links; ifpin does not follow"
                + " them", REFUSED_FIX);
    }

    /** A FIFO or a socket: open(2) for writing blocks (FIFO) or fails (socket). Devices such as /dev/null open. */
    private static boolean blocksOnOpen(Path target) throws IOException {
        int type = (Integer) Files.getAttribute(target, "unix:mode", LinkOption.NOFOLLOW_LINKS) & S_IFMT;
        return type == S_IFIFO || type == S_IFSOCK;
    }

    /**
     * Why a symbolic link must not be followed, or null when it may be: owned by another user than this process's,
     * or in a directory that is world-writable and sticky (anyone may plant a link there; only its owner may remove
     * it, so the directory's owner cannot vouch for it).
     */
    static String refusal(int linkOwner, int processUid, int directoryMode) {
        if (linkOwner != processUid) {
            return "owned by uid " + linkOwner + ", not by this process's user (uid " + processUid + ")";
        }
        if ((directoryMode & STICKY) != 0 && (directoryMode & OTHERS_WRITE) != 0) {
            return "in a sticky directory that every user can write to (mode "
                    + Integer.toOctalString(directoryMode & 07777) + ", like /tmp)";
        }
        return null;
    }

    /** The effective uid: {@code /proc/self} belongs to it. -1 when unknown, which no link owner matches. */
    static int processUid() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
