//! Unit tests of sniffing, decoding and language; the format and hostile
//! file tests are in `tests/`.

use refwatch_domain::MediaKind;

use crate::{kind_named, language, sniff};

#[test]
fn sniffing_reads_signatures_not_names() {
    assert_eq!(sniff(b"%PDF-1.4\n..."), MediaKind::Pdf);
    assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), MediaKind::Image);
    assert_eq!(sniff(b"\xFF\xD8\xFF\xE0...."), MediaKind::Image);
    assert_eq!(sniff(b"ID3\x04......"), MediaKind::Audio);
    assert_eq!(sniff(b"RIFF\0\0\0\0WAVEfmt "), MediaKind::Audio);
    assert_eq!(sniff(b"<!DOCTYPE html><p>hi"), MediaKind::Html);
    assert_eq!(sniff("강제북송 반대".as_bytes()), MediaKind::Text);
    assert_eq!(sniff(b"\x00\x01\x02binary"), MediaKind::Other);
    // A ZIP that is not a Word document.
    assert_eq!(sniff(b"PK\x03\x04garbage"), MediaKind::Other);
    // Sniffing runs in the server's process and reads no ZIP directory: an
    // end record claiming 65,535 entries at an offset past the end (which
    // a ZIP reader would follow) is not followed; the part's name decides.
    let mut crafted = b"PK\x03\x04\x14\0\0\0\0\0word/document.xml".to_vec();
    crafted.extend_from_slice(
        b"PK\x05\x06\0\0\0\0\xff\xff\xff\xff\xff\xff\xff\x7f\xff\xff\xff\x7f\0\0",
    );
    assert_eq!(sniff(&crafted), MediaKind::Docx);
    assert_eq!(kind_named("Report.PDF"), Some(MediaKind::Pdf));
    assert_eq!(kind_named("letter.docx"), Some(MediaKind::Docx));
    assert_eq!(kind_named("noextension"), None);
}

#[test]
fn korean_and_chinese_legacy_encodings_are_read() {
    let (euc_kr, _, _) = encoding_rs::EUC_KR.encode("탈북민 강제북송");
    assert_eq!(
        crate::text::decode(&euc_kr).as_deref(),
        Ok("탈북민 강제북송")
    );
    let (gb, _, _) = encoding_rs::GB18030.encode("强制遣返脱北者");
    assert_eq!(crate::text::decode(&gb).as_deref(), Ok("强制遣返脱北者"));
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain("북송".encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    assert_eq!(crate::text::decode(&utf16).as_deref(), Ok("북송"));
    assert_eq!(sniff(&euc_kr), MediaKind::Text);
}

#[test]
fn languages_are_told_apart_by_their_letters() {
    assert_eq!(language("중국 공안이 탈북민 60명을 강제북송했다"), "ko");
    assert_eq!(language("中国强制遣返六十名脱北者"), "zh");
    assert_eq!(
        language("China forcibly returned about 600 people in October 2023."),
        "en"
    );
    assert_eq!(language("北朝鮮への強制送還について"), "ja");
    assert_eq!(language("12345 --- ..."), "und");
    // Korean with some Chinese characters (as in older newspapers) stays Korean.
    assert_eq!(language("北送 문제에 관한 탈북민 증언과 기록"), "ko");
}
