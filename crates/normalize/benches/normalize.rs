//! Normalizing realistic 12-field retail records (three in four Chinese customers, the rest
//! Western), whole records and per field kind.
//!
//! `cargo bench -p sameas-normalize --bench normalize`

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use sameas_core::{Channel, Record};
use sameas_normalize::NormalizeOptions;
use sameas_normalize::infer::{infer_schema, record_from_row};
use sameas_normalize::record::RecordNormalizer;

const HEADERS: [&str; 12] = [
    "record_id",
    "channel",
    "name",
    "phone",
    "email",
    "address",
    "birth_date",
    "gender",
    "id_number",
    "member_no",
    "device_id",
    "updated_at",
];

/// A small deterministic generator (64-bit LCG), so the bench needs no data files.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const HAN_FAMILY: [&str; 16] = [
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "欧阳",
    "張",
];
const HAN_GIVEN: [&str; 16] = [
    "伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟",
    "偉",
];
const PINYIN: [&str; 6] = [
    "Zhang Wei",
    "Wang Fang",
    "Li Na",
    "Liu Yang",
    "Chen Jing",
    "Wei Zhang",
];
const WEST_GIVEN: [&str; 10] = [
    "Robert", "Bob", "Mary", "James", "Jennifer", "Michael", "Linda", "William", "Liz", "Kate",
];
const WEST_FAMILY: [&str; 8] = [
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "O'Brien",
];
const PLACES: [&str; 8] = [
    "广东省深圳市南山区",
    "广东深圳南山区",
    "北京市朝阳区",
    "上海市浦东新区",
    "浙江省杭州市西湖区",
    "廣東省廣州市天河區",
    "四川省成都市武侯区",
    "江苏省南京市鼓楼区",
];
const ROADS: [&str; 6] = [
    "科技园路",
    "建国路",
    "世纪大道",
    "文三路",
    "天河路",
    "人民南路",
];
const STREETS: [&str; 5] = [
    "Main Street",
    "Oak Ave",
    "Pine Road",
    "Elm St",
    "Maple Drive",
];
const CITIES: [&str; 4] = [
    "Las Vegas NV 89132",
    "Austin, TX 73301",
    "Denver CO 80202",
    "Boston, MA 02108",
];
const DOMAINS: [&str; 6] = [
    "qq.com",
    "163.com",
    "gmail.com",
    "126.com",
    "Gmail.com",
    "outlook.com",
];
const CHANNELS: [&str; 6] = [
    "pos",
    "app",
    "mini_program",
    "marketplace",
    "call_centre",
    "web",
];

fn phone(rng: &mut Lcg, chinese: bool) -> String {
    if !chinese {
        let n = 2_000_000 + rng.below(7_000_000);
        return match rng.below(3) {
            0 => format!("(702) {:03}-{:04}", n / 10_000 % 1000, n % 10_000),
            1 => format!("+1 702 {:03} {:04}", n / 10_000 % 1000, n % 10_000),
            _ => format!("702{:07}", n),
        };
    }
    let prefix = ["138", "139", "150", "186", "177", "199"][rng.below(6)];
    let rest = rng.below(100_000_000);
    let (mid, tail) = (rest / 10_000, rest % 10_000);
    match rng.below(8) {
        0 => format!("{prefix}{mid:04}{tail:04}"),
        1 => format!("{prefix} {mid:04} {tail:04}"),
        2 => format!("{prefix}-{mid:04}-{tail:04}"),
        3 => format!("+86 {prefix} {mid:04} {tail:04}"),
        4 => format!("0086 {prefix}{mid:04}{tail:04}"),
        5 => format!("{prefix}****{tail:04}"),
        6 => format!("{prefix}{mid:04}{tail:04}")
            .chars()
            .map(|c| char::from_u32(c as u32 - '0' as u32 + '０' as u32).unwrap())
            .collect(),
        _ => format!("(+86){prefix} {mid:04} {tail:04}"),
    }
}

fn national_id(rng: &mut Lcg, year: usize, month: usize, day: usize) -> String {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let body = format!("440305{year:04}{month:02}{day:02}{:03}", rng.below(1000));
    let sum: u32 = body
        .bytes()
        .zip(WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    let check = b"10X98765432"[(sum % 11) as usize] as char;
    format!("{body}{check}")
}

fn retail_row(rng: &mut Lcg, i: usize) -> Vec<String> {
    let chinese = rng.below(4) != 0;
    let (year, month, day) = (1950 + rng.below(55), 1 + rng.below(12), 1 + rng.below(28));
    let name = if chinese {
        match rng.below(10) {
            0 => PINYIN[rng.below(PINYIN.len())].to_string(),
            1 => format!("{}先生", rng.pick(&HAN_FAMILY)),
            _ => format!("{}{}", rng.pick(&HAN_FAMILY), rng.pick(&HAN_GIVEN)),
        }
    } else if rng.below(4) == 0 {
        format!(
            "{}, {}",
            rng.pick(&WEST_FAMILY).to_uppercase(),
            rng.pick(&WEST_GIVEN)
        )
    } else {
        format!("{} {}", rng.pick(&WEST_GIVEN), rng.pick(&WEST_FAMILY))
    };
    let email = if rng.below(3) == 0 {
        String::new()
    } else {
        format!("user.{}+shop@{}", rng.below(100_000), rng.pick(&DOMAINS))
    };
    let address = if chinese {
        format!(
            "{}{}{}号",
            rng.pick(&PLACES),
            rng.pick(&ROADS),
            1 + rng.below(300)
        )
    } else {
        format!(
            "{} {}, {}",
            1 + rng.below(900),
            rng.pick(&STREETS),
            rng.pick(&CITIES)
        )
    };
    let birth = match rng.below(5) {
        0 => format!("{year}-{month:02}-{day:02}"),
        1 => format!("{year}/{month}/{day}"),
        2 => format!("{year}{month:02}{day:02}"),
        3 => format!("{year}年{month}月{day}日"),
        _ => format!("{month:02}/{day:02}/{year}"),
    };
    let gender = ["男", "女", "M", "F", "1", "2"][rng.below(6)].to_string();
    let id_number = if chinese && rng.below(2) == 0 {
        national_id(rng, year, month, day)
    } else {
        String::new()
    };
    vec![
        format!("C{i:08}"),
        rng.pick(&CHANNELS).to_string(),
        name,
        phone(rng, chinese),
        email,
        address,
        birth,
        gender,
        id_number,
        if rng.below(2) == 0 {
            format!("M{:07}", rng.below(10_000_000))
        } else {
            String::new()
        },
        if rng.below(3) == 0 {
            format!("dev-{:08x}", rng.next())
        } else {
            String::new()
        },
        format!(
            "2025-{:02}-{:02} 10:00:00",
            1 + rng.below(12),
            1 + rng.below(28)
        ),
    ]
}

fn retail_rows(n: usize) -> Vec<Vec<String>> {
    let mut rng = Lcg(42);
    (0..n).map(|i| retail_row(&mut rng, i)).collect()
}

fn retail_records(n: usize) -> (RecordNormalizer, Vec<Record>) {
    let schema = infer_schema(&HEADERS).unwrap().schema;
    let options = NormalizeOptions {
        reference_date: Some(jiff::civil::date(2026, 11, 22)),
        ..NormalizeOptions::default()
    };
    let normalizer = RecordNormalizer::new(schema, options).unwrap();
    let records = retail_rows(n)
        .iter()
        .enumerate()
        .map(|(i, row)| record_from_row(normalizer.schema(), row, i as u64 + 1, &Channel::Unknown))
        .collect();
    (normalizer, records)
}

fn whole_records(c: &mut Criterion) {
    // Normalizing assembled records: every field, the cross-field checks and the update time.
    let mut group = c.benchmark_group("normalize_records");
    for n in [1_000, 10_000] {
        let (normalizer, records) = retail_records(n);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), &records, |b, records| {
            b.iter(|| {
                for record in records {
                    black_box(normalizer.normalize(black_box(record)));
                }
            })
        });
    }
    group.finish();

    // The same from text cells: assembling each record (id, channel, update time, field
    // values copied out of the row) and normalizing it.
    let mut group = c.benchmark_group("assemble_and_normalize");
    let (normalizer, _) = retail_records(0);
    let n = 10_000;
    let rows = retail_rows(n);
    group.throughput(Throughput::Elements(n as u64));
    group.bench_with_input(BenchmarkId::from_parameter(n), &rows, |b, rows| {
        b.iter(|| {
            for (i, row) in rows.iter().enumerate() {
                let record =
                    record_from_row(normalizer.schema(), row, i as u64 + 1, &Channel::Unknown);
                black_box(normalizer.normalize(&record));
            }
        })
    });
    group.finish();
}

fn per_field(c: &mut Criterion) {
    let (normalizer, records) = retail_records(2_000);
    let mut group = c.benchmark_group("normalize_field");
    group.throughput(Throughput::Elements(records.len() as u64));
    for (at, spec) in normalizer.schema().fields.iter().enumerate() {
        let schema = sameas_core::Schema {
            fields: vec![spec.clone()],
            ..Default::default()
        };
        let single = RecordNormalizer::new(schema, normalizer.options().clone()).unwrap();
        let values: Vec<Record> = records
            .iter()
            .map(|r| Record {
                fields: vec![r.fields[at].clone()],
                ..r.clone()
            })
            .collect();
        group.bench_function(BenchmarkId::new(spec.kind.as_str(), &spec.name), |b| {
            b.iter(|| {
                for record in &values {
                    black_box(single.normalize(black_box(record)));
                }
            })
        });
    }
    group.finish();
}

criterion_group!(benches, whole_records, per_field);
criterion_main!(benches);
