package io.ifpin.log;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 19 item 5: ifpin's files follow no symbolic link another user could have planted, and are not 0666. */
class SafeAppendTest {
    @TempDir
    Path dir;

    private static void append(Path file, String text) throws IOException {
        try (FileChannel channel = SafeAppend.open(file)) {
            channel.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
        }
    }

    /** Like /tmp: mode 1777. */
    private Path stickyDirectory() throws Exception {
        Path sticky = Files.createDirectory(dir.resolve("tmp"));
        Process chmod = new ProcessBuilder("chmod", "1777", sticky.toString()).start();
        assertEquals(0, chmod.waitFor());
        return sticky;
    }

    @Test
    void aNewFileGetsNoMoreThan0640WhateverTheUmask() throws Exception {
        Path file = dir.resolve("ifpin.log");
        append(file, "a\n");
        Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
        assertTrue(SafeAppend.PERMISSIONS.containsAll(permissions), PosixFilePermissions.toString(permissions));
        assertTrue(permissions.contains(PosixFilePermission.OWNER_WRITE), PosixFilePermissions.toString(permissions));
        append(file, "b\n");
        assertEquals("a\nb\n", Files.readString(file), "appends");
    }

    @Test
    void anOwnLinkInAPrivateDirectoryIsFollowed() throws Exception {
        Path target = dir.resolve("real.log");
        Path link = Files.createSymbolicLink(dir.resolve("ifpin.log"), target);
        append(link, "via link\n");
        assertEquals("via link\n", Files.readString(target));
        assertTrue(Files.isSymbolicLink(link));
    }

    @Test
    void aLinkInAStickyWorldWritableDirectoryIsRefusedEvenWhenOwn() throws Exception {
        Path sticky = stickyDirectory();
        Path target = Files.writeString(dir.resolve("victim"), "untouched\n");
        Path link = Files.createSymbolicLink(sticky.resolve("audit.jsonl"), target);
        SafeAppend.Refused refused = assertThrows(SafeAppend.Refused.class, () -> append(link, "x\n"));
        assertEquals(link + " is a symbolic link (to " + target + ") in a sticky directory that every user can write"
                + " to (mode 1777, like /tmp); ifpin does not follow it, so that no other user can point ifpin's"
                + " writes at a file of their choosing", refused.getMessage());
        assertTrue(refused.fix().startsWith("remove the link"), refused.fix());
        assertEquals("untouched\n", Files.readString(target));
    }

    @Test
    void anOwnLinkToALinkInAStickyWorldWritableDirectoryIsRefused() throws Exception {
        Path sticky = stickyDirectory();
        Path target = Files.writeString(dir.resolve("victim"), "untouched\n");
        Path planted = Files.createSymbolicLink(sticky.resolve("audit.jsonl"), target);
        Path own = Files.createSymbolicLink(dir.resolve("audit.jsonl"), planted);
        SafeAppend.Refused refused = assertThrows(SafeAppend.Refused.class, () -> append(own, "x\n"));
        assertTrue(refused.getMessage().startsWith(planted + " is a symbolic link (to " + target + ") in a sticky"
                + " directory"), refused.getMessage());
        assertEquals("untouched\n", Files.readString(target));
    }

    @Test
    void aChainOfOwnLinksInPrivateDirectoriesIsFollowed() throws Exception {
        Path target = dir.resolve("real.log");
        Path second = Files.createSymbolicLink(dir.resolve("second.log"), target.getFileName());
        Path first = Files.createSymbolicLink(dir.resolve("ifpin.log"), second);
        append(first, "via two links\n");
        assertEquals("via two links\n", Files.readString(target));
    }

    @Test
    void aLinkLoopIsRefused() throws Exception {
        Path a = dir.resolve("a.log");
        Path b = Files.createSymbolicLink(dir.resolve("b.log"), a);
        Files.createSymbolicLink(a, b);
        assertThrows(IOException.class, () -> append(a, "x\n"));
    }

    @Test
    void aLinkOwnedByAnotherUserIsRefusedAndAnOwnOneInAPlainDirectoryIsNot() {
        assertEquals("owned by uid 65534, not by this process's user (uid 0)", SafeAppend.refusal(65534, 0, 0755));
        assertNull(SafeAppend.refusal(1000, 1000, 0755));
        assertNull(SafeAppend.refusal(1000, 1000, 0777), "world-writable but not sticky: only the link's owner counts");
        assertEquals("in a sticky directory that every user can write to (mode 1777, like /tmp)",
                SafeAppend.refusal(0, 0, 01777));
    }

    /** Opening a FIFO for writing waits for a reader: the log file in premain would hang the JVM (issue 19 item 6). */
    @Test
    void aFifoIsRefusedWithoutBlocking() throws Exception {
        Path fifo = dir.resolve("ifpin.log");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertEquals(0, mkfifo.waitFor());
        // would block forever in open() without the file-type check
        SafeAppend.Refused refused = assertThrows(SafeAppend.Refused.class, () -> append(fifo, "x\n"));
        assertTrue(refused.getMessage().startsWith(fifo + " is a FIFO or a socket, not a file"), refused.getMessage());
    }

    @Test
    void aDeviceSuchAsDevNullOpens() throws Exception {
        append(Path.of("/dev/null"), "discarded\n");
    }

    @Test
    void theProcessUidIsKnown() {
        assertTrue(SafeAppend.processUid() >= 0);
    }
}
