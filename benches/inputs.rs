//! Benchmark inputs shared by the criterion benchmarks and the report: real text and word lists
//! from benches/data (installed by benches/fetch-data.sh), and deterministic synthetic term lists.

use std::fs;
use std::path::PathBuf;

pub fn data(name: &str) -> String {
    let path: PathBuf = [env!("CARGO_MANIFEST_DIR"), "benches", "data", name]
        .iter()
        .collect();
    fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; run benches/fetch-data.sh (make bench does)",
            path.display()
        )
    })
}

/// About `bytes` of posts, one per line of the corpus, repeated as needed.
pub fn posts(corpus: &str, bytes: usize) -> Vec<String> {
    let text = data(corpus);
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let mut out = Vec::new();
    let mut total = 0;
    for line in lines.iter().cycle() {
        if total >= bytes {
            break;
        }
        total += line.len();
        out.push(line.to_string());
    }
    out
}

/// A small deterministic generator (SplitMix64), so every run scans the same lists.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}

/// `n` English words sampled from the real word list, as a `[block]` term list.
pub fn english_list(n: usize) -> String {
    let words = data("words.txt");
    let words: Vec<&str> = words.lines().filter(|w| w.len() >= 3).collect();
    let mut rng = Rng::new(n as u64);
    let mut list = String::from("[block]\n");
    for _ in 0..n {
        list.push_str(words[rng.below(words.len())]);
        list.push('\n');
    }
    list
}

/// `n` synthetic Japanese terms of 3–6 characters drawn from common kana and kanji, plus the
/// real Japanese LDNOOBW list.
pub fn japanese_list(n: usize) -> String {
    const CHARS: &str = "あいうえおかきくけこさしすせそたちつてとなにぬねのはひふへほまみむめもやゆよらりるれろわをんがぎぐげござじずぜぞだでどばびぶべぼぱぴぷぺぽアイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモラリルレロ日本人大年一国会中事自社者地業方新場員立開手力問代明動京目通言理体田主題意不作用度強公持野以思家世多正安院心界教文元重近考画海売知道集別物使品計死特私始朝運終台広住無真有口少町料工建空急止送切転研足究楽起着店病質待試族銀早映親験英医仕去味写字答夜音注帰古歌買悪図週室歩風紙黒花春赤青館屋色走秋夏習駅洋旅服夕借曜飲肉貸堂鳥飯勉冬昼茶弟牛魚兄犬妹姉漢";
    let chars: Vec<char> = CHARS.chars().collect();
    let mut rng = Rng::new(n as u64 ^ 0x6a61);
    let mut list = String::from("[block]\n");
    list.push_str(&data("naughty-ja.txt"));
    for _ in 0..n {
        let len = 3 + rng.below(4);
        for _ in 0..len {
            list.push(chars[rng.below(chars.len())]);
        }
        list.push('\n');
    }
    list
}
