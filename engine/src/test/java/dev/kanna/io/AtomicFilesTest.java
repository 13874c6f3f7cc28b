/*
 * Publishing a finished directory: a new target appears whole, an existing one is replaced only with
 * overwrite, and a replace whose second rename fails leaves the old content where it was.
 */
package dev.kanna.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

class AtomicFilesTest {
    private static Path dirWith(Path dir, String content) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("file.txt"), content);
        return dir;
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void existingTargetIsReplacedWholeOnlyWithOverwrite(@TempDir Path root) throws IOException {
        Path target = dirWith(root.resolve("model"), "old");
        Files.writeString(target.resolve("stale.txt"), "old");
        assertThrows(FileAlreadyExistsException.class, () -> AtomicFiles.publishDirectory(dirWith(root.resolve(".tmp1"), "new"), target, false));
        assertEquals("old", Files.readString(target.resolve("file.txt")));

        AtomicFiles.publishDirectory(root.resolve(".tmp1"), target, true);
        assertEquals("new", Files.readString(target.resolve("file.txt")));
        assertEquals(List.of("file.txt"), names(target), "no file of the old directory survives");
        assertEquals(List.of("model"), names(root), "nothing left beside it");
    }

    @Test
    void failedReplaceLeavesTheOldDirectoryInPlace(@TempDir Path root) throws IOException {
        Path target = dirWith(root.resolve("model"), "old");
        Path missingTemp = root.resolve(".never-written");
        assertThrows(IOException.class, () -> AtomicFiles.publishDirectory(missingTemp, target, true));
        assertEquals("old", Files.readString(target.resolve("file.txt")));
        assertEquals(List.of("model"), names(root), "the old directory is back under its name, nothing aside");
        assertFalse(Files.exists(missingTemp));
    }
}
