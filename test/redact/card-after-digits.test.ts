/**
 * A card number written after (or before) other digits and a separator is still masked: the
 * journal leak scan found a record key `FS-L9-2222400010000008` stored and reported unmasked,
 * because the scan took `9-2222400010000008` as one 17-digit candidate, which fails Luhn.
 */
import { describe, expect, it } from 'vitest';
import { findCardNumbers, luhnValid, scrubText } from '../../src/index.js';

describe('scrubText: card numbers next to other digit groups', () => {
  it.each([
    ['FS-L9-2222400010000008', 'FS-L9-222240******0008'],
    ['ref 12-4111111111111111 paid', 'ref 12-411111******1111 paid'],
    ['2024 4111 1111 1111 1111', '2024 411111******1111'],
    ['4111 1111 1111 1111 2024', '411111******1111 2024'],
    ['7-5555-5555-5555-4444-9', '7-555555******4444-9'],
    ['cards 1-4111111111111111 and 2-5555555555554444', 'cards 1-411111******1111 and 2-555555******4444'],
  ])('%s → %s', (text, masked) => {
    expect(scrubText(text)).toBe(masked);
    expect(findCardNumbers(text).length).toBeGreaterThan(0);
  });

  it('keeps masking a whole card number as before, grouped or not', () => {
    expect(scrubText('4111111111111111')).toBe('411111******1111');
    expect(scrubText('card 4111-1111-1111-1111.')).toBe('card 411111******1111.');
    expect(scrubText('5555 5555 5555 4444')).toBe('555555******4444');
    expect(findCardNumbers('a 4111111111111111 b 2-2222400010000008')).toEqual(['4111111111111111', '2222400010000008']);
  });

  it('does not look inside one long ungrouped run of digits, nor mask groups that fail Luhn', () => {
    expect(scrubText('41111111111111110000')).toBe('41111111111111110000');
    expect(scrubText('id 941111111111111111')).toBe('id 941111111111111111');
    const notCard = '1234 5678 9012 3456';
    expect(luhnValid(notCard.replace(/ /g, ''))).toBe(false);
    expect(scrubText(`2024 ${notCard}`)).toBe(`2024 ${notCard}`);
    expect(scrubText('phone 714-555-0142, zip 92701')).toBe('phone 714-555-0142, zip 92701');
  });
});
