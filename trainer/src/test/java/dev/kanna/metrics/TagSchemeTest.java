package dev.kanna.metrics;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class TagSchemeTest {

    @Test
    void parsesFlagNames() {
        assertEquals(TagScheme.IOB1, TagScheme.parse("iob1"));
        assertEquals(TagScheme.IOB2, TagScheme.parse("IOB2"));
        assertEquals(TagScheme.IOBES, TagScheme.parse("iobes"));
        assertEquals(TagScheme.BILOU, TagScheme.parse("bilou"));
        var e = assertThrows(IllegalArgumentException.class, () -> TagScheme.parse("bio"));
        assertEquals("unknown tag scheme \"bio\"; expected iob1, iob2, iobes or bilou", e.getMessage());
    }

    @Test
    void detectsTheScheme() {
        assertEquals(TagScheme.IOB2, TagScheme.detect(List.of(List.of("B-PER", "I-PER", "O", "B-LOC"))));
        assertEquals(TagScheme.IOB2, TagScheme.detect(List.of(List.of("O", "O"), List.of())));
        // An I-X first in its sentence, after O or after another type starts an entity: only IOB1 allows it.
        assertEquals(TagScheme.IOB1, TagScheme.detect(List.of(List.of("B-PER"), List.of("I-PER", "I-PER"))));
        assertEquals(TagScheme.IOB1, TagScheme.detect(List.of(List.of("O", "I-LOC", "B-LOC"))));
        assertEquals(TagScheme.IOB1, TagScheme.detect(List.of(List.of("B-PER", "I-LOC"))));
        assertEquals(TagScheme.IOBES, TagScheme.detect(List.of(List.of("B-PER", "E-PER", "O", "I-LOC"))));
        assertEquals(TagScheme.IOBES, TagScheme.detect(List.of(List.of("S-PER"))));
        assertEquals(TagScheme.BILOU, TagScheme.detect(List.of(List.of("U-PER", "E-PER"))));
    }

    @Test
    void validatesTags() {
        TagScheme.IOB2.validate("O");
        TagScheme.IOB2.validate("B-PER");
        TagScheme.IOB1.validate("I-PER");
        TagScheme.IOBES.validate("S-PER");
        TagScheme.BILOU.validate("L-PER");
        var e = assertThrows(IllegalArgumentException.class, () -> TagScheme.IOB2.validate("E-PER"));
        assertEquals("tag \"E-PER\" is not valid IOB2: expected O, B-TYPE or I-TYPE", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TagScheme.IOBES.validate("U-PER"));
        assertEquals("tag \"U-PER\" is not valid IOBES: expected O, B-TYPE, I-TYPE, E-TYPE or S-TYPE", e.getMessage());
        for (String bad : new String[]{"B-", "B", "PER", "b-PER", "", "BPER"}) {
            assertThrows(IllegalArgumentException.class, () -> TagScheme.IOB2.validate(bad), bad);
        }
        assertThrows(IllegalArgumentException.class, () -> TagScheme.IOB2.validate(null));
    }
}
