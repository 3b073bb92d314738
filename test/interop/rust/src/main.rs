//! Reference encoder and decoder for the tower-sessions DynamoDB item format.
//!
//! `generate` prints test vectors (a JSON array) for records serialized exactly as
//! tower-sessions-dynamodb-store 0.3 does: `rmp_serde::to_vec(&record)`.
//! `decode` reads JSON lines `{"name", "cookie", "data_b64"}` from stdin and prints (a JSON array) what
//! `rmp_serde::from_slice::<Record>` makes of each blob, as the store's `load` would.
//!
//! `Id` and `Record` are declared as in tower-sessions-core 0.14 (`src/session.rs`): same derives, same
//! field order, same types.

use std::collections::{BTreeMap, HashMap};
use std::io::{self, BufRead, Write};

use serde::{Deserialize, Serialize};
use serde_json::{json, Number, Value};
use time::{format_description::well_known::Rfc3339, Date, OffsetDateTime, UtcOffset};

/// The session id: a random i128. Serialized by rmp_serde as 16 big-endian bytes (bin 8).
#[derive(Copy, Clone, Debug, Deserialize, Serialize, Eq, Hash, PartialEq)]
pub struct Id(pub i128);

/// What the store writes under `data` (whole) and reads back.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Record {
    pub id: Id,
    pub data: HashMap<String, Value>,
    pub expiry_date: OffsetDateTime,
}

/// `Record` with its data map in sorted order: the same fields in the same order, so the same bytes as
/// `Record` up to map order, but reproducible from run to run (a `HashMap`'s order is not).
#[derive(Serialize)]
struct SortedRecord<'a> {
    id: Id,
    data: BTreeMap<&'a str, &'a Value>,
    expiry_date: OffsetDateTime,
}

const PK_PREFIX: &str = "SESSIONS::TOWER::";

/// `Id`'s `Display`: URL-safe base64 without padding of the little-endian bytes.
fn cookie_of(id: Id) -> String {
    base64::encode_config(id.0.to_le_bytes(), base64::URL_SAFE_NO_PAD)
}

/// `Id`'s `FromStr` with base64 0.22's rules: exactly the canonical 22 characters. (Debian's base64 0.13
/// accepts trailing padding, which 0.22 refuses, hence the shape check first.)
fn parse_cookie(value: &str) -> Option<Id> {
    let bytes = value.as_bytes();
    let alphabet_ok = bytes
        .iter()
        .all(|b| b.is_ascii_alphanumeric() || *b == b'-' || *b == b'_');
    if bytes.len() != 22 || !alphabet_ok || !b"AQgw".contains(&bytes[21]) {
        return None;
    }
    let decoded = base64::decode_config(value, base64::URL_SAFE_NO_PAD).ok()?;
    let array: [u8; 16] = decoded.try_into().ok()?;
    Some(Id(i128::from_le_bytes(array)))
}

fn expiry_parts(at: OffsetDateTime) -> [i64; 9] {
    let (oh, om, os) = at.offset().as_hms();
    [
        at.year() as i64,
        at.ordinal() as i64,
        at.hour() as i64,
        at.minute() as i64,
        at.second() as i64,
        at.nanosecond() as i64,
        oh as i64,
        om as i64,
        os as i64,
    ]
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[derive(Serialize)]
struct Vector {
    name: String,
    id: String,
    cookie: String,
    pk: String,
    expire_at: i64,
    expiry: Option<String>,
    expiry_parts: [i64; 9],
    data_json: String,
    data_hex: String,
    data_b64: String,
}

struct Case {
    name: String,
    id: i128,
    expiry: OffsetDateTime,
    data: Value,
}

fn vector(case: &Case) -> Vector {
    let Value::Object(map) = &case.data else {
        panic!("{}: data must be an object", case.name)
    };
    let record = Record {
        id: Id(case.id),
        data: map.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        expiry_date: case.expiry,
    };
    let sorted = SortedRecord {
        id: record.id,
        data: map.iter().map(|(k, v)| (k.as_str(), v)).collect(),
        expiry_date: record.expiry_date,
    };
    let bytes = rmp_serde::to_vec(&sorted).expect("encode");
    // The sorted form is a valid `Record` encoding: the same record, and as long as `Record`'s own.
    let decoded: Record = rmp_serde::from_slice(&bytes).expect("decode");
    assert_eq!(decoded, record, "{}", case.name);
    assert_eq!(rmp_serde::to_vec(&record).expect("encode").len(), bytes.len());
    let cookie = cookie_of(record.id);
    assert_eq!(parse_cookie(&cookie), Some(record.id));
    Vector {
        name: case.name.clone(),
        id: case.id.to_string(),
        pk: format!("{PK_PREFIX}{cookie}"),
        cookie,
        expire_at: case.expiry.unix_timestamp(),
        expiry: case.expiry.format(&Rfc3339).ok(),
        expiry_parts: expiry_parts(case.expiry),
        data_json: serde_json::to_string(&sorted.data).expect("json"),
        data_hex: hex(&bytes),
        data_b64: base64::encode(&bytes),
    }
}

/// A date from its serialized parts (year, day of year, time, offset), as time's deserializer builds it.
#[allow(clippy::too_many_arguments)]
fn at(year: i32, ordinal: u16, h: u8, m: u8, s: u8, nanos: u32, oh: i8, om: i8, os: i8) -> OffsetDateTime {
    Date::from_ordinal_date(year, ordinal)
        .and_then(|d| d.with_hms_nano(h, m, s, nanos))
        .and_then(|t| UtcOffset::from_hms(oh, om, os).map(|o| t.assume_offset(o)))
        .expect("valid date")
}

fn utc(year: i32, ordinal: u16, h: u8, m: u8, s: u8) -> OffsetDateTime {
    at(year, ordinal, h, m, s, 0, 0, 0, 0)
}

fn float(x: f64) -> Value {
    Value::Number(Number::from_f64(x).expect("finite"))
}

fn case(name: &str, id: i128, expiry: OffsetDateTime, data: Value) -> Case {
    Case { name: name.to_string(), id, expiry, data }
}

fn nested_arrays(levels: usize) -> Value {
    let mut value = json!([]);
    for _ in 1..levels {
        value = Value::Array(vec![value]);
    }
    value
}

fn alternating(levels: usize) -> Value {
    let mut value = json!({"leaf": "bottom", "n": 1.5});
    for level in 1..levels {
        value = if level % 2 == 0 {
            json!({ "level": level, "next": value })
        } else {
            json!([level, value])
        };
    }
    value
}

fn fixed_cases() -> Vec<Case> {
    let far = utc(2031, 182, 0, 0, 0);
    let mut cases = vec![
        // The public vectors of TSDS-FORMAT.md, rebuilt here: the same inputs must give the same bytes.
        case("returning visitor", 42, utc(2027, 73, 15, 9, 26), json!({"visits": 1})),
        case(
            "negative id, leap day, fractional second",
            -42,
            at(2028, 60, 12, 0, 0, 250_000_000, 0, 0, 0),
            json!({"user": {"name": "Zoë", "id": 7}, "admin": false}),
        ),
        case(
            "day 366, nested keys sorted, floats",
            1i128 << 126,
            utc(2044, 366, 6, 0, 0),
            json!({"total": 12.75, "cart": [{"sku": "X-9", "qty": 3, "price": 4.25}]}),
        ),
        case(
            "integer markers, emoji, non-UTC expiry with nanoseconds",
            -123456789012345678901234567890,
            at(2030, 2, 3, 4, 5, 123_456_789, 2, 0, 0),
            json!({"emoji": "🎉", "ints": [-1, -33, 300, -300, 70000, -70000, 4294967296u64], "empty": {}}),
        ),
        case(
            "empty data, negative offset",
            12345678901234567890123456789,
            at(2035, 185, 0, 0, 0, 0, -7, 0, 0),
            json!({}),
        ),
        case("expired: must not load", 7, utc(2020, 1, 0, 0, 0), json!({"flash": "bye"})),
        case(
            "Rust-side numbers JavaScript cannot keep",
            -1_000_000,
            far,
            json!({"big": u64::MAX, "ratio": 2.0, "min": i64::MIN}),
        ),
        case(
            "offset with seconds (no RFC 3339 form)",
            99999999999999999999,
            at(2031, 200, 1, 2, 3, 4, 5, 6, 7),
            json!({"k": "v"}),
        ),
        // Keys.
        case("empty key", 1, far, json!({"": "empty", " ": "space", "x": {"": [""]}})),
        case(
            "keys named like Object.prototype members",
            2,
            far,
            json!({
                "__proto__": {"polluted": true},
                "constructor": "c",
                "toString": 1,
                "hasOwnProperty": null,
                "valueOf": [1],
                "isPrototypeOf": false,
                "propertyIsEnumerable": {},
                "toLocaleString": "x",
                "__defineGetter__": 2,
                "__lookupSetter__": 3
            }),
        ),
        case(
            "nested __proto__ and constructor",
            3,
            far,
            json!({
                "user": {"__proto__": {"admin": true}, "constructor": {"prototype": {"x": 1}}},
                "list": [{"__proto__": null}, {"__proto__": []}],
                "prototype": {"__proto__": {"__proto__": "deep"}}
            }),
        ),
        case(
            "NUL and control characters",
            4,
            far,
            json!({
                "\u{0}": "\u{0}",
                "a\u{0}b": "x\u{0}y\u{0}",
                "\u{1}\u{1f}\u{7f}": "line\nbreak\ttab\r",
                "quote\"back\\slash": "\u{2028}\u{2029}"
            }),
        ),
        case(
            "astral and special Unicode, UTF-8 key order",
            5,
            far,
            json!({
                "😀": "grinning",
                "𝄞": "clef \u{1d11e}",
                "\u{10ffff}": "last code point",
                "\u{ffff}": "last BMP",
                "\u{e000}": "private use",
                "\u{feff}bom": "\u{feff}",
                "é": "precomposed",
                "e\u{301}": "combining",
                "עברית": "مرحبا",
                "nested": {"😀": 1, "\u{ffff}": 2, "\u{e000}": 3, "a": 4, "\u{10000}": 5}
            }),
        ),
        case(
            "keys that look like numbers",
            6,
            far,
            json!({
                "0": 0, "1": 1, "10": 10, "9": 9, "-1": -1, "01": 1, "1e3": 1000,
                "4294967294": 4294967294u64, "4294967295": 4294967295u64,
                "nested": {"2": "b", "10": "a", "1": "c"}
            }),
        ),
        case("long key", 7, far, json!({ "k".repeat(300): "v".repeat(40) })),
        case(
            "booleans and nulls",
            8,
            far,
            json!({"t": true, "f": false, "n": null, "arr": [null, true, false, null]}),
        ),
        case(
            "strings that look like JSON",
            9,
            far,
            json!({"json": "{\"a\":1}", "quoted": "\"q\"", "slashes": "\\/\\\\", "unicode escape": "\\u0000"}),
        ),
        // Containers.
        case(
            "empty containers",
            10,
            far,
            json!({"a": [], "m": {}, "nested": [[], {}, [[]], {"e": {}}]}),
        ),
        case("deep nesting (100 levels)", 11, far, json!({ "deep": alternating(100) })),
        case(
            "deepest nesting rmp_serde reads (1021 arrays under a key)",
            12,
            far,
            json!({ "deep": nested_arrays(1021) }),
        ),
        case(
            "array and map header sizes",
            13,
            far,
            json!({
                "a15": (0..15).collect::<Vec<i32>>(),
                "a16": (0..16).collect::<Vec<i32>>(),
                "a300": (0..300).collect::<Vec<i32>>(),
                "m15": (0..15).map(|i| (format!("k{i:02}"), json!(i))).collect::<serde_json::Map<String, Value>>(),
                "m16": (0..16).map(|i| (format!("k{i:02}"), json!(i))).collect::<serde_json::Map<String, Value>>()
            }),
        ),
        case(
            "sixteen top-level keys (map 16 header)",
            14,
            far,
            Value::Object((0..16).map(|i| (format!("key{i:02}"), json!(i))).collect()),
        ),
        case(
            "string header sizes",
            15,
            far,
            json!({
                "s31": "a".repeat(31), "s32": "b".repeat(32), "s255": "c".repeat(255),
                "s256": "d".repeat(256), "emoji32": "😀".repeat(8)
            }),
        ),
        case("str 32 header (65536 bytes)", 16, far, json!({ "s65536": "f".repeat(65536) })),
        // Numbers.
        case(
            "float extremes",
            17,
            far,
            json!({
                "max": float(f64::MAX), "min": float(f64::MIN), "tiny": float(5e-324), "minus tiny": float(-5e-324),
                "min positive normal": float(f64::MIN_POSITIVE), "dynamo min": float(1e-130),
                "dynamo max": float(9.999999999999999e125), "above dynamo": float(1e126),
                "tenth": float(0.1), "third": float(1.0 / 3.0), "e21": float(1e21), "negative": float(-1.5)
            }),
        ),
        case(
            "integral floats and negative zero",
            18,
            far,
            json!({
                "two": float(2.0), "minus two": float(-2.0), "zero": float(0.0), "minus zero": float(-0.0),
                "e15": float(1e15), "two to 53": float(9007199254740992.0),
                "two to 64": float(18446744073709551616.0), "e300": float(1e300),
                "in array": [float(1.0), 1, float(3.0)]
            }),
        ),
        case(
            "integers beyond 2^53",
            19,
            far,
            json!({
                "2^53": 9007199254740992u64, "2^53+1": 9007199254740993u64, "u64 max": u64::MAX,
                "i64 max": i64::MAX, "i64 min": i64::MIN, "-(2^53+1)": -9007199254740993i64,
                "2^63": 9223372036854775808u64, "2^64-2048": 18446744073709549568u64,
                "in array": [u64::MAX, i64::MIN, 9007199254740993u64]
            }),
        ),
        case(
            "integer widths",
            20,
            far,
            json!({
                "pos": [0, 1, 127, 128, 255, 256, 65535, 65536, 4294967295u64, 4294967296u64, 9007199254740991u64],
                "neg": [-1, -32, -33, -128, -129, -32768, -32769, -2147483648i64, -2147483649i64, -9007199254740991i64]
            }),
        ),
        case(
            "mixed realistic session",
            21,
            far,
            json!({
                "user": {"id": 123456, "name": "Ada Lovelace", "roles": ["admin", "editor"], "email": "ada@example.com"},
                "cart": {"items": [{"sku": "A-1", "qty": 2, "price": 19.99}, {"sku": "B-22", "qty": 1, "price": 5.0}], "coupon": null},
                "csrf": "q3Jz0m2b4uWk1yC8XvQ9dNfH7sLpTaRe",
                "flash": [],
                "visits": 42,
                "last_seen": "2026-11-05T10:00:00Z"
            }),
        ),
        // Expiry dates.
        case("offset +05:30", 22, at(2029, 100, 10, 0, 0, 0, 5, 30, 0), json!({"tz": "Asia/Kolkata"})),
        case("offset -03:30", 23, at(2029, 100, 10, 0, 0, 0, -3, -30, 0), json!({"tz": "America/St_Johns"})),
        case("offset +14:00", 24, at(2029, 100, 10, 0, 0, 0, 14, 0, 0), json!({"tz": "Pacific/Kiritimati"})),
        case("offset -12:00", 25, at(2029, 100, 10, 0, 0, 0, -12, 0, 0), json!({"tz": "Etc/GMT+12"})),
        case("offset +23:59:59", 26, at(2029, 100, 10, 0, 0, 0, 23, 59, 59), json!({"offset": "max"})),
        case("offset -23:59:59", 27, at(2029, 100, 10, 0, 0, 0, -23, -59, -59), json!({"offset": "min"})),
        case("offset -00:00:01", 28, at(2029, 100, 10, 0, 0, 0, 0, 0, -1), json!({"offset": "seconds only"})),
        case("offset -00:30", 29, at(2029, 100, 10, 0, 0, 0, 0, -30, 0), json!({"offset": "minutes only"})),
        case("one nanosecond", 30, at(2029, 100, 10, 0, 0, 1, 0, 0, 0), json!({"ns": 1})),
        case("last nanosecond of a second", 31, at(2029, 100, 10, 0, 0, 999_999_999, 0, 0, 0), json!({"ns": 999999999})),
        case("leap day 2032", 32, utc(2032, 60, 23, 59, 59), json!({"leap": true})),
        case("day 366 of 2032, last second", 33, utc(2032, 366, 23, 59, 59), json!({"day": 366})),
        case("first day of a year", 34, utc(2033, 1, 0, 0, 0), json!({"day": 1})),
        case(
            "last instant of year 9999",
            35,
            at(9999, 365, 23, 59, 59, 999_999_999, 0, 0, 0),
            json!({"far": "future"}),
        ),
        case("expired: the epoch", 36, utc(1970, 1, 0, 0, 0), json!({"expired": true})),
        case(
            "expired: before 1970 with a fraction (expire_at floors)",
            37,
            at(1969, 365, 23, 59, 59, 500_000_000, 0, 0, 0),
            json!({"expired": true}),
        ),
        case("expired: year 1", 38, utc(1, 1, 0, 0, 0), json!({"expired": true})),
        case("expired: year -9999", 39, utc(-9999, 1, 0, 0, 0), json!({"expired": true})),
        case(
            "expired: 2000 with a non-UTC offset",
            40,
            at(2000, 1, 0, 0, 0, 0, 9, 0, 0),
            json!({"expired": true}),
        ),
        // Ids.
        case("id 0", 0, far, json!({"id": "zero"})),
        case("id 1", 1, far, json!({"id": "one"})),
        case("id -1", -1, far, json!({"id": "minus one"})),
        case("id i128 min", i128::MIN, far, json!({"id": "min"})),
        case("id i128 max", i128::MAX, far, json!({"id": "max"})),
        case("id 2^64", 1i128 << 64, far, json!({"id": "2^64"})),
        case("id -2^64", -(1i128 << 64), far, json!({"id": "-2^64"})),
        case("id i64 min", i64::MIN as i128, far, json!({"id": "i64 min"})),
        case("id u64 max", u64::MAX as i128, far, json!({"id": "u64 max"})),
    ];
    for (i, c) in cases.iter_mut().enumerate() {
        c.name = format!("{:03} {}", i + 1, c.name);
    }
    cases
}

/// splitmix64: a small seeded generator, so that the random vectors are the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
    fn char(&mut self) -> char {
        loop {
            let code = match self.below(6) {
                0 => self.below(0x80) as u32,
                1 => 0x80 + self.below(0x780) as u32,
                2 => 0x800 + self.below(0xf800) as u32,
                3 => 0x10000 + self.below(0x100000) as u32,
                4 => 0x20 + self.below(0x5f) as u32,
                _ => *self.pick(&[0x0, 0xfeff, 0xffff, 0xe000, 0x1f600, 0x10ffff, 0x301, 0x2028]),
            };
            if let Some(c) = char::from_u32(code) {
                return c;
            }
        }
    }
    fn string(&mut self) -> String {
        let len = match self.below(10) {
            0 => 0,
            1 => 31 + self.below(3),
            _ => self.below(8),
        };
        (0..len).map(|_| self.char()).collect()
    }
    fn key(&mut self) -> String {
        match self.below(8) {
            0 => self
                .pick(&["", "__proto__", "constructor", "toString", "hasOwnProperty", "valueOf", "0", "10"])
                .to_string(),
            1 | 2 => self.pick(&["a", "b", "id", "user", "cart", "n"]).to_string(),
            _ => self.string(),
        }
    }
    fn number(&mut self) -> Value {
        match self.below(12) {
            0 => json!(self.next()),
            1 => json!(self.next() as i64),
            2 => json!(self.below(256) as i64 - 128),
            3 => json!(self.below(1 << 20) as i64 - (1 << 19)),
            4 => {
                let shift = self.below(64);
                let magnitude = (self.next() >> shift) as i64;
                json!(if self.below(2) == 0 { magnitude } else { magnitude.wrapping_neg() })
            }
            5 => loop {
                let f = f64::from_bits(self.next());
                if f.is_finite() {
                    break float(f);
                }
            },
            6 => float((self.below(2_000_001) as f64 - 1_000_000.0) / 100.0),
            7 => float(self.below(1000) as f64),
            8 => float(*self.pick(&[f64::MAX, 5e-324, -0.0, 0.5, 1e21, 1e-7, f64::MIN_POSITIVE, -1e308])),
            9 => json!(*self.pick(&[u64::MAX, 1 << 53, (1 << 53) + 1, 1 << 63, 0])),
            10 => json!(*self.pick(&[i64::MIN, i64::MAX, -(1 << 53) - 1, -(1 << 31) - 1])),
            _ => json!(self.below(100)),
        }
    }
    fn length(&mut self) -> u64 {
        let max = if self.below(8) == 0 { 20 } else { 5 };
        self.below(max)
    }
    fn value(&mut self, depth: u32) -> Value {
        let leaf_only = depth >= 4;
        match self.below(if leaf_only { 4 } else { 7 }) {
            0 => Value::Null,
            1 => Value::Bool(self.below(2) == 0),
            2 => self.number(),
            3 => Value::String(self.string()),
            4 | 5 if self.below(2) == 0 => {
                let len = self.length();
                Value::Array((0..len).map(|_| self.value(depth + 1)).collect())
            }
            _ => {
                let len = self.length();
                Value::Object((0..len).map(|_| (self.key(), self.value(depth + 1))).collect())
            }
        }
    }
    fn expiry(&mut self) -> OffsetDateTime {
        let year = 1970 + self.below(8030) as i32;
        let days = if time::util::is_leap_year(year) { 366 } else { 365 };
        let ordinal = 1 + self.below(days) as u16;
        let nanos = if self.below(2) == 0 { 0 } else { self.below(1_000_000_000) as u32 };
        let (oh, om, os) = match self.below(4) {
            0 | 1 => (0, 0, 0),
            _ => {
                let sign = if self.below(2) == 0 { 1 } else { -1 };
                let h = self.below(24) as i8;
                let m = self.below(60) as i8;
                let s = if self.below(4) == 0 { self.below(60) as i8 } else { 0 };
                (sign * h, sign * m, sign * s)
            }
        };
        at(
            year,
            ordinal,
            self.below(24) as u8,
            self.below(60) as u8,
            self.below(60) as u8,
            nanos,
            oh,
            om,
            os,
        )
    }
    fn id(&mut self) -> i128 {
        (((self.next() as u128) << 64) | self.next() as u128) as i128
    }
}

fn random_cases(count: usize, seed: u64) -> Vec<Case> {
    let mut rng = Rng(seed);
    (0..count)
        .map(|i| {
            let len = rng.below(if i % 10 == 0 { 30 } else { 6 });
            let data = Value::Object((0..len).map(|_| (rng.key(), rng.value(0))).collect());
            Case { name: format!("random {:03}", i + 1), id: rng.id(), expiry: rng.expiry(), data }
        })
        .collect()
}

fn generate() {
    let cases: Vec<Case> = fixed_cases().into_iter().chain(random_cases(150, 0x7065_7273_6973_7400)).collect();
    let vectors: Vec<Vector> = cases.iter().map(vector).collect();
    let stdout = io::stdout();
    let mut out = stdout.lock();
    serde_json::to_writer_pretty(&mut out, &vectors).expect("write");
    writeln!(out).expect("write");
}

#[derive(Deserialize)]
struct DecodeInput {
    name: String,
    #[serde(default)]
    cookie: String,
    data_b64: String,
}

#[derive(Serialize)]
struct Decoded {
    name: String,
    ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    id_cookie: Option<String>,
    /// Whether `Record.id` is the id of the cookie (the key) the item was stored under.
    #[serde(skip_serializing_if = "Option::is_none")]
    id_matches_cookie: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    data_json: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expiry_parts: Option<[i64; 9]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expire_at: Option<i64>,
}

fn decode_one(input: DecodeInput) -> Decoded {
    let failed = |name: String, error: String| Decoded {
        name,
        ok: false,
        error: Some(error),
        id: None,
        id_cookie: None,
        id_matches_cookie: None,
        data_json: None,
        expiry_parts: None,
        expire_at: None,
    };
    let bytes = match base64::decode(&input.data_b64) {
        Ok(bytes) => bytes,
        Err(err) => return failed(input.name, format!("base64: {err}")),
    };
    // What the store's `load` does with the `data` attribute.
    match rmp_serde::from_slice::<Record>(&bytes) {
        Err(err) => failed(input.name, err.to_string()),
        Ok(record) => {
            let sorted: BTreeMap<&String, &Value> = record.data.iter().collect();
            Decoded {
                name: input.name,
                ok: true,
                error: None,
                id: Some(record.id.0.to_string()),
                id_cookie: Some(cookie_of(record.id)),
                id_matches_cookie: Some(parse_cookie(&input.cookie) == Some(record.id)),
                data_json: Some(serde_json::to_string(&sorted).expect("json")),
                expiry_parts: Some(expiry_parts(record.expiry_date)),
                expire_at: Some(record.expiry_date.unix_timestamp()),
            }
        }
    }
}

fn decode() {
    let stdin = io::stdin();
    let mut results = Vec::new();
    for line in stdin.lock().lines() {
        let line = line.expect("read");
        if line.trim().is_empty() {
            continue;
        }
        let input: DecodeInput = serde_json::from_str(&line).expect("a JSON line {name, cookie, data_b64}");
        results.push(decode_one(input));
    }
    let stdout = io::stdout();
    let mut out = stdout.lock();
    serde_json::to_writer_pretty(&mut out, &results).expect("write");
    writeln!(out).expect("write");
}

fn main() {
    match std::env::args().nth(1).as_deref() {
        Some("generate") => generate(),
        Some("decode") => decode(),
        _ => {
            eprintln!("usage: tower-sessions-interop generate > vectors.json");
            eprintln!("       tower-sessions-interop decode < blobs.jsonl > decoded.json");
            std::process::exit(2);
        }
    }
}
