//! Search: index synthetic documents, half English and half Korean, and
//! time one- and two-word queries as the application runs them (ceiling
//! filter, ten hits with snippets, facets).

use std::time::Instant;

use refwatch_domain::Confidentiality;
use refwatch_search::{DocKind, Query, SearchDoc, SearchIndex};

#[derive(clap::Args)]
pub(crate) struct Args {
    /// Documents to index.
    #[arg(long, default_value_t = 200_000)]
    documents: usize,
    /// Queries of each kind to time.
    #[arg(long, default_value_t = 2_000)]
    queries: usize,
    /// Words per document.
    #[arg(long, default_value_t = 120)]
    words: usize,
}

const ENGLISH: &str = "the of and to in a was were that for on by with as from at police china north korean korea escapees border arrested detained repatriated repatriation forced forcibly women children families camp prison security ministry province city night river crossing broker network church shelter interview testimony report government official record list names released sentenced labour interrogation beaten hunger winter summer train bus car house village market letter appeal united nations commission special rapporteur resolution recommendation review response state law refugee asylum embassy consulate phone message video photograph document witness mother father sister brother daughter son husband wife friend neighbour soldier guard officer detention centre transfer transport truck hundreds dozens several group year month week day morning evening january february march april may june july august september october november december jilin liaoning yanji tumen dandong shenyang hunchun changbai musan hyesan sinuiju onsong chongjin hoeryong pyongyang seoul beijing";

const KOREAN: &str = "강제북송 탈북민 탈북자 중국 공안 북한 국경 체포 구금 송환 여성 아동 가족 수용소 교화소 보위부 조사 증언 보고서 정부 명단 이름 석방 노동 단련대 구타 굶주림 겨울 여름 기차 버스 마을 시장 편지 호소 유엔 위원회 특별보고관 결의안 권고 검토 답변 국가 법 난민 망명 대사관 영사관 전화 메시지 영상 사진 문서 목격자 어머니 아버지 언니 오빠 딸 아들 남편 아내 친구 이웃 군인 경비 간부 구류장 이송 트럭 수백 수십 여러 집단 연도 월 주 하루 아침 저녁 길림성 요녕성 연길 도문 단동 심양 훈춘 장백 무산 혜산 신의주 온성 청진 회령 평양 서울 북경 브로커 교회 쉼터 면담 인권 침해 고문 실종 처형";

const PARTICLES: [&str; 14] = [
    "", "", "", "을", "를", "이", "가", "은", "는", "에서", "으로", "의", "된", "했다",
];

/// A small xorshift generator: the same documents on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// An index in 0..n, Zipf-like: low indexes far more often.
    fn zipf(&mut self, n: usize) -> usize {
        let u = (self.next() >> 11) as f64 / (1u64 << 53) as f64;
        ((n as f64).powf(u) - 1.0).floor() as usize % n
    }
}

fn documents(n: usize, words: usize) -> Vec<SearchDoc> {
    let english: Vec<&str> = ENGLISH.split_whitespace().collect();
    let korean: Vec<&str> = KOREAN.split_whitespace().collect();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    (0..n)
        .map(|i| {
            let ko = i % 2 == 1;
            let body: Vec<String> = (0..words)
                .map(|_| {
                    if ko {
                        let w = korean[rng.zipf(korean.len())];
                        let p = PARTICLES[(rng.next() % PARTICLES.len() as u64) as usize];
                        format!("{w}{p}")
                    } else {
                        english[rng.zipf(english.len())].to_owned()
                    }
                })
                .collect();
            SearchDoc {
                kind: DocKind::ALL[i % DocKind::ALL.len()],
                id: format!("doc-{i}"),
                owner: DocKind::ALL[i % DocKind::ALL.len()],
                title: body[..6].join(" "),
                body: body.join(" "),
                names: String::new(),
                level: Confidentiality::ALL[i % 3],
                year: Some(2013 + (i % 12) as i32),
                language: if ko { "ko" } else { "en" }.into(),
            }
        })
        .collect()
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

pub(crate) fn run(args: &Args) -> anyhow::Result<()> {
    let docs = documents(args.documents, args.words);
    let bytes: usize = docs.iter().map(|d| d.body.len() + d.title.len()).sum();
    let started = Instant::now();
    let index = SearchIndex::build(docs, |done| {
        if done % 50_000 == 0 {
            eprintln!("  {done} documents indexed");
        }
    })?;
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "indexed {} documents ({:.0} MiB of text) in {seconds:.1} s = {:.0} documents/s; index {:.0} MiB in memory",
        index.len(),
        bytes as f64 / (1 << 20) as f64,
        index.len() as f64 / seconds,
        index.size_bytes() as f64 / (1 << 20) as f64
    );
    let english: Vec<&str> = ENGLISH.split_whitespace().collect();
    let korean: Vec<&str> = KOREAN.split_whitespace().collect();
    let mut rng = Rng(42);
    println!("| query | queries | mean hits | p50 ms | p99 ms | max ms |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: |");
    for terms in [1, 2] {
        for (label, vocab) in [("English", &english), ("Korean", &korean)] {
            let mut times = Vec::with_capacity(args.queries);
            let mut hits = 0usize;
            for q in 0..args.queries {
                // Uniform over the vocabulary: common and rare words alike.
                let text: Vec<&str> = (0..terms)
                    .map(|_| vocab[(rng.next() % vocab.len() as u64) as usize])
                    .collect();
                let query = Query {
                    text: text.join(" "),
                    kinds: vec![],
                    years: None,
                    language: None,
                    level: None,
                    ceiling: Confidentiality::ALL[q % 3],
                    names: false,
                    limit: 10,
                    offset: 0,
                };
                let t = Instant::now();
                let results = index.search(&query)?;
                times.push(t.elapsed().as_secs_f64() * 1000.0);
                hits += results.total;
            }
            times.sort_by(f64::total_cmp);
            println!(
                "| {terms} {label} word{} | {} | {:.0} | {:.2} | {:.2} | {:.2} |",
                if terms > 1 { "s" } else { "" },
                times.len(),
                hits as f64 / times.len() as f64,
                percentile(&times, 0.5),
                percentile(&times, 0.99),
                times.last().copied().unwrap_or(0.0)
            );
        }
    }
    Ok(())
}
