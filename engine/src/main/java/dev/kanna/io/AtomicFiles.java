/*
 * Nothing half-written on disk: files are written to a temporary sibling and renamed over the target
 * in one step; directories are built under a temporary sibling name and renamed into place at the end.
 * A crash leaves either the old content or the new one (plus, at worst, a dot-named temporary), with
 * one exception: replacing a directory takes two renames (old aside, new in), and a crash between them
 * leaves the old content under a dot-named sibling and nothing at the target.
 */
package dev.kanna.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.stream.Stream;

public final class AtomicFiles {

    /** Writes the file's content through a channel positioned at 0. */
    @FunctionalInterface
    public interface ChannelWriter {
        void write(FileChannel channel) throws IOException;
    }

    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    private AtomicFiles() {
    }

    /** Writes {@code target} via a temporary file in the same directory, then renames it over the target. */
    public static void write(Path target, ChannelWriter body) throws IOException {
        Path absolute = target.toAbsolutePath();
        Path dir = absolute.getParent();
        Files.createDirectories(dir);
        Path temp = null;
        FileChannel opened = null;
        while (opened == null) {
            temp = dir.resolve(uniqueName(absolute, ".tmp-"));
            try {
                opened = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW);
            } catch (FileAlreadyExistsException taken) {
                // try another name
            }
        }
        try {
            try (FileChannel channel = opened) {
                body.write(channel);
                channel.force(true);
            }
            moveReplacing(temp, absolute);
        } catch (IOException | RuntimeException | Error e) {
            Files.deleteIfExists(temp);
            throw e;
        }
    }

    /** Writes a UTF-8 text file atomically. */
    public static void writeString(Path target, String content) throws IOException {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        write(target, channel -> writeFully(channel, ByteBuffer.wrap(bytes)));
    }

    public static void writeFully(FileChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) channel.write(buffer);
    }

    /** A fresh, empty directory beside {@code target} (same file system, so a rename can publish it). */
    public static Path createSiblingTempDirectory(Path target) throws IOException {
        Path absolute = target.toAbsolutePath();
        Files.createDirectories(absolute.getParent());
        while (true) {
            try {
                return Files.createDirectory(absolute.getParent().resolve(uniqueName(absolute, ".tmp-")));
            } catch (FileAlreadyExistsException taken) {
                // try another name
            }
        }
    }

    /** A dot-named sibling name: hidden from listings, and created with the default permissions
     *  (Files.createTempFile would make it owner-only, and the published file would keep that). */
    private static String uniqueName(Path target, String tag) {
        return "." + target.getFileName() + tag + Long.toHexString(RANDOM.nextLong() & Long.MAX_VALUE);
    }

    /**
     * Renames the finished {@code tempDir} to {@code target}. An existing target is replaced only when
     * {@code overwrite}; it is first moved aside, so the target is never a mix of old and new files.
     */
    public static void publishDirectory(Path tempDir, Path target, boolean overwrite) throws IOException {
        Path absolute = target.toAbsolutePath();
        if (Files.exists(absolute, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            if (!overwrite) {
                throw new FileAlreadyExistsException(absolute.toString(), null, "already exists (use --overwrite to replace it)");
            }
            Path aside = absolute.getParent().resolve(uniqueName(absolute, ".old-"));
            Files.move(absolute, aside, StandardCopyOption.ATOMIC_MOVE);
            try {
                Files.move(tempDir, absolute, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException | RuntimeException e) {
                Files.move(aside, absolute, StandardCopyOption.ATOMIC_MOVE);   // put the old content back
                throw e;
            }
            try {
                deleteRecursively(aside);
            } catch (IOException leftover) {
                // The new directory is published; what is left of the old one keeps its dot name.
            }
        } else {
            try {
                Files.move(tempDir, absolute, StandardCopyOption.ATOMIC_MOVE);
            } catch (DirectoryNotEmptyException | FileAlreadyExistsException raced) {
                throw new FileAlreadyExistsException(absolute.toString(), null, "appeared while writing");
            }
        }
    }

    /** Deletes a file or a directory tree; absent paths are fine. */
    public static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return;
        try (Stream<Path> walk = Files.walk(path)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    private static void moveReplacing(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            // Only on exotic file systems; a plain replace is still better than writing in place.
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
