import { describe, expect, it } from 'vitest';
import { websiteHref } from './customer';

describe('a customer’s website as a link', () => {
  it('opens http(s) addresses as typed and bare host names over https', () => {
    expect(websiteHref('https://sakura.example.co.jp')).toBe('https://sakura.example.co.jp');
    expect(websiteHref(' http://example.com/about ')).toBe('http://example.com/about');
    expect(websiteHref('www.example.co.jp')).toBe('https://www.example.co.jp');
    expect(websiteHref('例え.jp/会社概要')).toBe('https://例え.jp/会社概要');
    expect(websiteHref('example.com:8080/x')).toBe('https://example.com:8080/x');
  });

  it('makes no link of anything else, which stays plain text', () => {
    for (const w of ['', '  ', 'javascript:alert(1)', 'mailto:a@b.jp', 'ftp://example.com', 'file:///etc/passwd', 'see the card', 'localhost', 'https://']) {
      expect(websiteHref(w), w).toBeNull();
    }
  });
});
