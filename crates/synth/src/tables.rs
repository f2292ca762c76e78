//! Embedded tables: frequency-weighted names, real administrative divisions, streets and the
//! character maps the corruptions use. Weights are relative frequencies (per ten thousand for
//! surnames), rounded from published rankings; they shape collisions, not census accuracy.

use crate::rng::total_weight;

/// Chinese surnames: `(weight, hanzi, pinyin)`. Compound surnames are rare but present.
pub(crate) const CN_SURNAMES: &[(u32, (&str, &str))] = &[
    (710, ("王", "wang")),
    (700, ("李", "li")),
    (670, ("张", "zhang")),
    (540, ("刘", "liu")),
    (460, ("陈", "chen")),
    (310, ("杨", "yang")),
    (240, ("黄", "huang")),
    (230, ("赵", "zhao")),
    (200, ("吴", "wu")),
    (190, ("周", "zhou")),
    (150, ("徐", "xu")),
    (150, ("孙", "sun")),
    (140, ("马", "ma")),
    (130, ("朱", "zhu")),
    (130, ("胡", "hu")),
    (120, ("郭", "guo")),
    (120, ("何", "he")),
    (110, ("高", "gao")),
    (110, ("林", "lin")),
    (110, ("罗", "luo")),
    (100, ("郑", "zheng")),
    (90, ("梁", "liang")),
    (80, ("谢", "xie")),
    (80, ("宋", "song")),
    (80, ("唐", "tang")),
    (70, ("许", "xu")),
    (70, ("韩", "han")),
    (70, ("冯", "feng")),
    (70, ("邓", "deng")),
    (70, ("曹", "cao")),
    (60, ("彭", "peng")),
    (60, ("曾", "zeng")),
    (60, ("肖", "xiao")),
    (60, ("田", "tian")),
    (50, ("董", "dong")),
    (50, ("袁", "yuan")),
    (50, ("潘", "pan")),
    (50, ("于", "yu")),
    (50, ("蒋", "jiang")),
    (50, ("蔡", "cai")),
    (40, ("余", "yu")),
    (40, ("杜", "du")),
    (40, ("叶", "ye")),
    (40, ("程", "cheng")),
    (40, ("魏", "wei")),
    (40, ("苏", "su")),
    (40, ("吕", "lv")),
    (30, ("丁", "ding")),
    (30, ("沈", "shen")),
    (30, ("任", "ren")),
    (3, ("欧阳", "ouyang")),
    (1, ("司马", "sima")),
    (1, ("诸葛", "zhuge")),
    (1, ("上官", "shangguan")),
];
pub(crate) const CN_SURNAMES_TOTAL: u32 = total_weight(CN_SURNAMES);

/// Male given names: `(weight, hanzi, pinyin syllables)`. 伟, 强, 磊 … dominate, as they do.
pub(crate) const CN_GIVEN_MALE: &[(u32, (&str, &str))] = &[
    (300, ("伟", "wei")),
    (160, ("强", "qiang")),
    (150, ("磊", "lei")),
    (140, ("军", "jun")),
    (140, ("洋", "yang")),
    (130, ("勇", "yong")),
    (130, ("杰", "jie")),
    (120, ("涛", "tao")),
    (110, ("斌", "bin")),
    (110, ("超", "chao")),
    (100, ("明", "ming")),
    (100, ("刚", "gang")),
    (90, ("平", "ping")),
    (90, ("辉", "hui")),
    (90, ("鹏", "peng")),
    (80, ("华", "hua")),
    (80, ("飞", "fei")),
    (70, ("鑫", "xin")),
    (70, ("波", "bo")),
    (70, ("宇", "yu")),
    (60, ("浩", "hao")),
    (60, ("凯", "kai")),
    (50, ("健", "jian")),
    (50, ("俊", "jun")),
    (40, ("龙", "long")),
    (40, ("宁", "ning")),
    (40, ("建华", "jian hua")),
    (40, ("建国", "jian guo")),
    (40, ("志强", "zhi qiang")),
    (35, ("海涛", "hai tao")),
    (35, ("晓东", "xiao dong")),
    (30, ("文博", "wen bo")),
    (30, ("子轩", "zi xuan")),
    (30, ("浩然", "hao ran")),
    (30, ("宇轩", "yu xuan")),
    (30, ("俊杰", "jun jie")),
    (30, ("明辉", "ming hui")),
    (30, ("志明", "zhi ming")),
    (30, ("国强", "guo qiang")),
    (25, ("永刚", "yong gang")),
    (25, ("建军", "jian jun")),
    (25, ("伟明", "wei ming")),
    (25, ("德华", "de hua")),
    (25, ("云飞", "yun fei")),
    (20, ("天宇", "tian yu")),
    (20, ("家豪", "jia hao")),
    (20, ("思远", "si yuan")),
    (20, ("振华", "zhen hua")),
    (20, ("立新", "li xin")),
    (20, ("海波", "hai bo")),
];
pub(crate) const CN_GIVEN_MALE_TOTAL: u32 = total_weight(CN_GIVEN_MALE);

/// Female given names: `(weight, hanzi, pinyin syllables)`.
pub(crate) const CN_GIVEN_FEMALE: &[(u32, (&str, &str))] = &[
    (220, ("芳", "fang")),
    (200, ("娜", "na")),
    (180, ("敏", "min")),
    (170, ("静", "jing")),
    (150, ("丽", "li")),
    (140, ("艳", "yan")),
    (120, ("娟", "juan")),
    (110, ("霞", "xia")),
    (100, ("婷", "ting")),
    (100, ("秀英", "xiu ying")),
    (90, ("雪", "xue")),
    (90, ("慧", "hui")),
    (90, ("玲", "ling")),
    (80, ("桂英", "gui ying")),
    (80, ("丹", "dan")),
    (80, ("萍", "ping")),
    (70, ("红", "hong")),
    (70, ("玉兰", "yu lan")),
    (70, ("燕", "yan")),
    (60, ("倩", "qian")),
    (60, ("颖", "ying")),
    (60, ("琳", "lin")),
    (50, ("欣怡", "xin yi")),
    (50, ("梓涵", "zi han")),
    (40, ("诗涵", "shi han")),
    (40, ("雨欣", "yu xin")),
    (40, ("子涵", "zi han")),
    (40, ("晓燕", "xiao yan")),
    (40, ("丽娟", "li juan")),
    (40, ("秀兰", "xiu lan")),
    (30, ("美玲", "mei ling")),
    (30, ("凤英", "feng ying")),
    (30, ("海燕", "hai yan")),
    (30, ("春梅", "chun mei")),
    (30, ("雅婷", "ya ting")),
    (30, ("佳怡", "jia yi")),
    (25, ("思琪", "si qi")),
    (25, ("文静", "wen jing")),
    (25, ("丽华", "li hua")),
    (20, ("淑珍", "shu zhen")),
    (20, ("晓红", "xiao hong")),
    (20, ("月华", "yue hua")),
];
pub(crate) const CN_GIVEN_FEMALE_TOTAL: u32 = total_weight(CN_GIVEN_FEMALE);

/// Second characters for twins, who share a first character: `(hanzi, pinyin)`.
pub(crate) const CN_TWIN_FIRST: &[(&str, &str)] = &[
    ("子", "zi"),
    ("佳", "jia"),
    ("思", "si"),
    ("雨", "yu"),
    ("家", "jia"),
    ("文", "wen"),
];
/// Second characters of twins' given names: `(hanzi, pinyin)`.
pub(crate) const CN_TWIN_SECOND: &[(&str, &str)] = &[
    ("轩", "xuan"),
    ("涵", "han"),
    ("怡", "yi"),
    ("琪", "qi"),
    ("豪", "hao"),
    ("博", "bo"),
    ("欣", "xin"),
    ("宁", "ning"),
];

/// Western given names (United States / Australia rankings): `(weight, name)`.
pub(crate) const WEST_GIVEN_MALE: &[(u32, &str)] = &[
    (330, "James"),
    (320, "John"),
    (310, "Robert"),
    (300, "Michael"),
    (250, "William"),
    (240, "David"),
    (180, "Richard"),
    (170, "Joseph"),
    (170, "Thomas"),
    (160, "Charles"),
    (150, "Christopher"),
    (140, "Daniel"),
    (130, "Matthew"),
    (110, "Anthony"),
    (100, "Mark"),
    (100, "Steven"),
    (90, "Andrew"),
    (80, "Joshua"),
    (80, "Kevin"),
    (70, "Brian"),
    (60, "Edward"),
    (50, "Benjamin"),
];
pub(crate) const WEST_GIVEN_MALE_TOTAL: u32 = total_weight(WEST_GIVEN_MALE);

/// Western given names, female: `(weight, name)`.
pub(crate) const WEST_GIVEN_FEMALE: &[(u32, &str)] = &[
    (330, "Mary"),
    (200, "Patricia"),
    (190, "Jennifer"),
    (180, "Linda"),
    (170, "Elizabeth"),
    (160, "Barbara"),
    (140, "Susan"),
    (140, "Jessica"),
    (130, "Sarah"),
    (120, "Karen"),
    (100, "Nancy"),
    (100, "Lisa"),
    (90, "Margaret"),
    (80, "Sandra"),
    (80, "Ashley"),
    (70, "Emily"),
    (60, "Katherine"),
    (60, "Rebecca"),
    (50, "Michelle"),
    (50, "Emma"),
];
pub(crate) const WEST_GIVEN_FEMALE_TOTAL: u32 = total_weight(WEST_GIVEN_FEMALE);

/// Western surnames: `(weight, name)`.
pub(crate) const WEST_SURNAMES: &[(u32, &str)] = &[
    (240, "Smith"),
    (190, "Johnson"),
    (160, "Williams"),
    (150, "Brown"),
    (140, "Jones"),
    (110, "Garcia"),
    (110, "Miller"),
    (110, "Davis"),
    (90, "Wilson"),
    (80, "Anderson"),
    (80, "Taylor"),
    (70, "Thomas"),
    (70, "Moore"),
    (70, "Jackson"),
    (70, "Martin"),
    (70, "Lee"),
    (60, "Thompson"),
    (60, "White"),
    (60, "Harris"),
    (50, "Clark"),
    (50, "Lewis"),
    (50, "Walker"),
    (40, "Hall"),
    (40, "Young"),
    (40, "King"),
    (40, "Wright"),
    (20, "O'Brien"),
    (20, "McDonald"),
];
pub(crate) const WEST_SURNAMES_TOTAL: u32 = total_weight(WEST_SURNAMES);

/// Common nicknames of Western given names.
pub(crate) fn nicknames(given: &str) -> &'static [&'static str] {
    match given {
        "James" => &["Jim", "Jimmy", "Jamie"],
        "John" => &["Jack", "Johnny"],
        "Robert" => &["Bob", "Rob", "Bobby"],
        "Michael" => &["Mike", "Mick"],
        "William" => &["Bill", "Will", "Billy"],
        "David" => &["Dave"],
        "Richard" => &["Rick", "Dick", "Rich"],
        "Joseph" => &["Joe", "Joey"],
        "Thomas" => &["Tom", "Tommy"],
        "Charles" => &["Charlie", "Chuck"],
        "Christopher" => &["Chris"],
        "Daniel" => &["Dan", "Danny"],
        "Matthew" => &["Matt"],
        "Anthony" => &["Tony"],
        "Steven" => &["Steve"],
        "Andrew" => &["Andy", "Drew"],
        "Joshua" => &["Josh"],
        "Edward" => &["Ed", "Ted", "Eddie"],
        "Benjamin" => &["Ben"],
        "Patricia" => &["Pat", "Patty", "Trish"],
        "Jennifer" => &["Jen", "Jenny"],
        "Elizabeth" => &["Liz", "Beth", "Betty"],
        "Barbara" => &["Barb"],
        "Susan" => &["Sue", "Susie"],
        "Jessica" => &["Jess"],
        "Margaret" => &["Maggie", "Peggy"],
        "Sandra" => &["Sandy"],
        "Katherine" => &["Kate", "Kathy", "Katie"],
        "Rebecca" => &["Becky"],
        _ => &[],
    }
}

/// A Chinese city with its province, long-distance area code and real districts
/// (name, six-digit administrative code).
pub(crate) struct City {
    /// Province in full (`广东省`); empty for the four municipalities.
    pub province: &'static str,
    /// Province short form (`广东`).
    pub province_short: &'static str,
    /// City in full (`深圳市`).
    pub city: &'static str,
    /// Area code without the trunk zero (`755`).
    pub area_code: &'static str,
    /// Districts and their administrative codes.
    pub districts: &'static [(&'static str, &'static str)],
}

macro_rules! city {
    ($p:literal, $ps:literal, $c:literal, $a:literal, [$(($d:literal, $code:literal)),+ $(,)?]) => {
        City { province: $p, province_short: $ps, city: $c, area_code: $a, districts: &[$(($d, $code)),+] }
    };
}

/// Cities, weighted towards the large ones by repeating nothing: people draw cities by
/// `CITY_WEIGHTS`.
pub(crate) const CITIES: &[City] = &[
    city!(
        "",
        "",
        "北京市",
        "10",
        [
            ("朝阳区", "110105"),
            ("海淀区", "110108"),
            ("东城区", "110101"),
            ("西城区", "110102")
        ]
    ),
    city!(
        "",
        "",
        "上海市",
        "21",
        [
            ("浦东新区", "310115"),
            ("黄浦区", "310101"),
            ("徐汇区", "310104"),
            ("静安区", "310106")
        ]
    ),
    city!(
        "",
        "",
        "天津市",
        "22",
        [
            ("和平区", "120101"),
            ("河西区", "120103"),
            ("南开区", "120104")
        ]
    ),
    city!(
        "",
        "",
        "重庆市",
        "23",
        [
            ("渝中区", "500103"),
            ("江北区", "500105"),
            ("沙坪坝区", "500106"),
            ("南岸区", "500108")
        ]
    ),
    city!(
        "广东省",
        "广东",
        "广州市",
        "20",
        [
            ("天河区", "440106"),
            ("越秀区", "440104"),
            ("海珠区", "440105"),
            ("白云区", "440111")
        ]
    ),
    city!(
        "广东省",
        "广东",
        "深圳市",
        "755",
        [
            ("福田区", "440304"),
            ("南山区", "440305"),
            ("罗湖区", "440303"),
            ("宝安区", "440306")
        ]
    ),
    city!(
        "广东省",
        "广东",
        "佛山市",
        "757",
        [
            ("禅城区", "440604"),
            ("南海区", "440605"),
            ("顺德区", "440606")
        ]
    ),
    city!(
        "广东省",
        "广东",
        "珠海市",
        "756",
        [("香洲区", "440402"), ("斗门区", "440403")]
    ),
    city!(
        "浙江省",
        "浙江",
        "杭州市",
        "571",
        [
            ("西湖区", "330106"),
            ("上城区", "330102"),
            ("拱墅区", "330105"),
            ("滨江区", "330108")
        ]
    ),
    city!(
        "浙江省",
        "浙江",
        "宁波市",
        "574",
        [
            ("海曙区", "330203"),
            ("江北区", "330205"),
            ("鄞州区", "330212")
        ]
    ),
    city!(
        "浙江省",
        "浙江",
        "温州市",
        "577",
        [
            ("鹿城区", "330302"),
            ("龙湾区", "330303"),
            ("瓯海区", "330304")
        ]
    ),
    city!(
        "江苏省",
        "江苏",
        "南京市",
        "25",
        [
            ("鼓楼区", "320106"),
            ("玄武区", "320102"),
            ("秦淮区", "320104"),
            ("建邺区", "320105")
        ]
    ),
    city!(
        "江苏省",
        "江苏",
        "苏州市",
        "512",
        [
            ("姑苏区", "320508"),
            ("吴中区", "320506"),
            ("相城区", "320507")
        ]
    ),
    city!(
        "江苏省",
        "江苏",
        "无锡市",
        "510",
        [
            ("梁溪区", "320213"),
            ("滨湖区", "320211"),
            ("新吴区", "320214")
        ]
    ),
    city!(
        "四川省",
        "四川",
        "成都市",
        "28",
        [
            ("武侯区", "510107"),
            ("锦江区", "510104"),
            ("青羊区", "510105"),
            ("金牛区", "510106")
        ]
    ),
    city!(
        "湖北省",
        "湖北",
        "武汉市",
        "27",
        [
            ("江汉区", "420103"),
            ("武昌区", "420106"),
            ("洪山区", "420111"),
            ("江岸区", "420102")
        ]
    ),
    city!(
        "陕西省",
        "陕西",
        "西安市",
        "29",
        [
            ("雁塔区", "610113"),
            ("碑林区", "610103"),
            ("新城区", "610102"),
            ("莲湖区", "610104")
        ]
    ),
    city!(
        "湖南省",
        "湖南",
        "长沙市",
        "731",
        [
            ("岳麓区", "430104"),
            ("芙蓉区", "430102"),
            ("天心区", "430103"),
            ("开福区", "430105")
        ]
    ),
    city!(
        "河南省",
        "河南",
        "郑州市",
        "371",
        [
            ("金水区", "410105"),
            ("二七区", "410103"),
            ("中原区", "410102")
        ]
    ),
    city!(
        "山东省",
        "山东",
        "济南市",
        "531",
        [
            ("历下区", "370102"),
            ("市中区", "370103"),
            ("槐荫区", "370104")
        ]
    ),
    city!(
        "山东省",
        "山东",
        "青岛市",
        "532",
        [
            ("市南区", "370202"),
            ("市北区", "370203"),
            ("崂山区", "370212")
        ]
    ),
    city!(
        "辽宁省",
        "辽宁",
        "沈阳市",
        "24",
        [
            ("和平区", "210102"),
            ("沈河区", "210103"),
            ("皇姑区", "210105")
        ]
    ),
    city!(
        "辽宁省",
        "辽宁",
        "大连市",
        "411",
        [
            ("中山区", "210202"),
            ("西岗区", "210203"),
            ("沙河口区", "210204")
        ]
    ),
    city!(
        "黑龙江省",
        "黑龙江",
        "哈尔滨市",
        "451",
        [
            ("道里区", "230102"),
            ("南岗区", "230103"),
            ("道外区", "230104")
        ]
    ),
    city!(
        "吉林省",
        "吉林",
        "长春市",
        "431",
        [
            ("南关区", "220102"),
            ("宽城区", "220103"),
            ("朝阳区", "220104")
        ]
    ),
    city!(
        "福建省",
        "福建",
        "福州市",
        "591",
        [
            ("鼓楼区", "350102"),
            ("台江区", "350103"),
            ("仓山区", "350104")
        ]
    ),
    city!(
        "福建省",
        "福建",
        "厦门市",
        "592",
        [
            ("思明区", "350203"),
            ("湖里区", "350206"),
            ("集美区", "350211")
        ]
    ),
    city!(
        "安徽省",
        "安徽",
        "合肥市",
        "551",
        [
            ("蜀山区", "340104"),
            ("包河区", "340111"),
            ("瑶海区", "340102"),
            ("庐阳区", "340103")
        ]
    ),
    city!(
        "江西省",
        "江西",
        "南昌市",
        "791",
        [
            ("东湖区", "360102"),
            ("西湖区", "360103"),
            ("青云谱区", "360104")
        ]
    ),
    city!(
        "云南省",
        "云南",
        "昆明市",
        "871",
        [
            ("五华区", "530102"),
            ("盘龙区", "530103"),
            ("官渡区", "530111")
        ]
    ),
    city!(
        "广西壮族自治区",
        "广西",
        "南宁市",
        "771",
        [
            ("青秀区", "450103"),
            ("兴宁区", "450102"),
            ("西乡塘区", "450107")
        ]
    ),
    city!(
        "贵州省",
        "贵州",
        "贵阳市",
        "851",
        [("南明区", "520102"), ("云岩区", "520103")]
    ),
    city!(
        "河北省",
        "河北",
        "石家庄市",
        "311",
        [
            ("长安区", "130102"),
            ("桥西区", "130104"),
            ("新华区", "130105")
        ]
    ),
    city!(
        "山西省",
        "山西",
        "太原市",
        "351",
        [
            ("小店区", "140105"),
            ("迎泽区", "140106"),
            ("杏花岭区", "140107")
        ]
    ),
    city!(
        "甘肃省",
        "甘肃",
        "兰州市",
        "931",
        [("城关区", "620102"), ("七里河区", "620103")]
    ),
    city!(
        "新疆维吾尔自治区",
        "新疆",
        "乌鲁木齐市",
        "991",
        [("天山区", "650102"), ("沙依巴克区", "650103")]
    ),
    city!(
        "海南省",
        "海南",
        "海口市",
        "898",
        [("龙华区", "460106"), ("美兰区", "460108")]
    ),
    city!(
        "内蒙古自治区",
        "内蒙古",
        "呼和浩特市",
        "471",
        [("新城区", "150102"), ("回民区", "150103")]
    ),
];

/// Relative weights of `CITIES`, large cities first.
pub(crate) const CITY_WEIGHTS: &[f64] = &[
    9.0, 9.0, 4.0, 5.0, 7.0, 7.0, 3.0, 1.5, 5.0, 3.0, 2.0, 4.0, 4.0, 2.0, 5.0, 4.0, 3.5, 3.0, 3.0,
    2.5, 2.5, 2.5, 2.0, 2.0, 1.5, 1.5, 1.5, 2.0, 1.5, 1.5, 1.5, 1.0, 1.5, 1.0, 1.0, 1.0, 1.0, 1.0,
];

/// Street names common to many Chinese cities.
pub(crate) const CN_STREETS: &[&str] = &[
    "人民路",
    "中山路",
    "解放路",
    "建设路",
    "和平路",
    "新华路",
    "文化路",
    "胜利路",
    "长江路",
    "黄河路",
    "友谊路",
    "工业路",
    "学府路",
    "科技路",
    "东风路",
    "朝阳路",
    "青年路",
    "光明路",
    "幸福路",
    "迎宾大道",
    "世纪大道",
    "滨江大道",
    "建国路",
    "复兴路",
    "南京路",
    "北京路",
    "上海路",
    "花园路",
    "体育路",
    "北京东路",
    "中山北路",
    "人民南路",
];

/// Residential estates.
pub(crate) const CN_ESTATES: &[&str] = &[
    "阳光花园",
    "锦绣家园",
    "翠苑小区",
    "碧桂园",
    "万科城",
    "保利花园",
    "金色家园",
    "绿地新都",
    "华府",
    "幸福里",
    "东方明珠苑",
    "龙湖天街",
    "恒大名都",
    "城市花园",
    "滨江国际",
    "和谐家园",
];

/// A Western city: `(city, state code, state name, postcode prefix, phone area codes, country)`.
pub(crate) struct WestCity {
    pub city: &'static str,
    pub state: &'static str,
    pub state_name: &'static str,
    /// The first digits of the postcode; the rest are drawn.
    pub postcode_prefix: &'static str,
    /// Postcode length.
    pub postcode_len: usize,
    /// Area codes: three-digit NANP codes, or one Australian digit.
    pub area_codes: &'static [&'static str],
    /// Whether the city is Australian (+61) rather than North American (+1).
    pub australian: bool,
}

/// Western cities.
pub(crate) const WEST_CITIES: &[WestCity] = &[
    WestCity {
        city: "New York",
        state: "NY",
        state_name: "New York",
        postcode_prefix: "100",
        postcode_len: 5,
        area_codes: &["212", "646", "917"],
        australian: false,
    },
    WestCity {
        city: "Los Angeles",
        state: "CA",
        state_name: "California",
        postcode_prefix: "900",
        postcode_len: 5,
        area_codes: &["213", "310", "323"],
        australian: false,
    },
    WestCity {
        city: "San Francisco",
        state: "CA",
        state_name: "California",
        postcode_prefix: "941",
        postcode_len: 5,
        area_codes: &["415", "628"],
        australian: false,
    },
    WestCity {
        city: "Chicago",
        state: "IL",
        state_name: "Illinois",
        postcode_prefix: "606",
        postcode_len: 5,
        area_codes: &["312", "773"],
        australian: false,
    },
    WestCity {
        city: "Seattle",
        state: "WA",
        state_name: "Washington",
        postcode_prefix: "981",
        postcode_len: 5,
        area_codes: &["206"],
        australian: false,
    },
    WestCity {
        city: "Las Vegas",
        state: "NV",
        state_name: "Nevada",
        postcode_prefix: "891",
        postcode_len: 5,
        area_codes: &["702"],
        australian: false,
    },
    WestCity {
        city: "Boston",
        state: "MA",
        state_name: "Massachusetts",
        postcode_prefix: "021",
        postcode_len: 5,
        area_codes: &["617"],
        australian: false,
    },
    WestCity {
        city: "Houston",
        state: "TX",
        state_name: "Texas",
        postcode_prefix: "770",
        postcode_len: 5,
        area_codes: &["713", "832"],
        australian: false,
    },
    WestCity {
        city: "Sydney",
        state: "NSW",
        state_name: "New South Wales",
        postcode_prefix: "20",
        postcode_len: 4,
        area_codes: &["2"],
        australian: true,
    },
    WestCity {
        city: "Melbourne",
        state: "VIC",
        state_name: "Victoria",
        postcode_prefix: "30",
        postcode_len: 4,
        area_codes: &["3"],
        australian: true,
    },
];

/// Western street names.
pub(crate) const WEST_STREETS: &[&str] = &[
    "Main",
    "Oak",
    "Pine",
    "Maple",
    "Cedar",
    "Elm",
    "Washington",
    "Lake",
    "Hill",
    "Park",
    "Church",
    "High",
    "George",
    "King",
    "Victoria",
    "Sunset",
    "Highland",
    "Mill",
];

/// Western street types: `(full, abbreviation)`.
pub(crate) const WEST_STREET_TYPES: &[(&str, &str)] = &[
    ("Street", "St"),
    ("Avenue", "Ave"),
    ("Road", "Rd"),
    ("Drive", "Dr"),
    ("Boulevard", "Blvd"),
    ("Lane", "Ln"),
    ("Place", "Pl"),
    ("Court", "Ct"),
];

/// Chinese mobile prefixes (first three digits) in use.
pub(crate) const CN_MOBILE_PREFIXES: &[&str] = &[
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "150", "151", "152",
    "153", "155", "156", "157", "158", "159", "166", "170", "176", "177", "178", "180", "181",
    "182", "183", "184", "185", "186", "187", "188", "189", "191", "198", "199", "147",
];

/// E-mail providers: `(weight, domain)`; `qq.com` and `163.com` lead in China.
pub(crate) const CN_EMAIL_DOMAINS: &[(u32, &str)] = &[
    (40, "qq.com"),
    (20, "163.com"),
    (10, "126.com"),
    (8, "gmail.com"),
    (6, "sina.com"),
    (5, "foxmail.com"),
    (5, "hotmail.com"),
    (4, "outlook.com"),
    (2, "139.com"),
];
pub(crate) const CN_EMAIL_DOMAINS_TOTAL: u32 = total_weight(CN_EMAIL_DOMAINS);

/// E-mail providers for Western customers: `(weight, domain)`.
pub(crate) const WEST_EMAIL_DOMAINS: &[(u32, &str)] = &[
    (45, "gmail.com"),
    (20, "yahoo.com"),
    (15, "outlook.com"),
    (10, "hotmail.com"),
    (5, "icloud.com"),
    (5, "aol.com"),
];
pub(crate) const WEST_EMAIL_DOMAINS_TOTAL: u32 = total_weight(WEST_EMAIL_DOMAINS);

/// Plausible typos of e-mail domains: `(domain, typos)`.
pub(crate) fn domain_typos(domain: &str) -> &'static [&'static str] {
    match domain {
        "gmail.com" => &["gmial.com", "gmai.com", "gmail.con", "gamil.com"],
        "qq.com" => &["qq.con", "qq.cm", "qq.co"],
        "163.com" => &["163.cm", "163.con", "163.co"],
        "126.com" => &["126.cm", "126.con"],
        "hotmail.com" => &["hotmial.com", "hotmail.con", "hotmai.com"],
        "outlook.com" => &["outlok.com", "outlook.con"],
        "yahoo.com" => &["yaho.com", "yahoo.con"],
        "sina.com" => &["sina.con", "sian.com"],
        "foxmail.com" => &["foxmial.com"],
        "icloud.com" => &["icoud.com"],
        _ => &["con"],
    }
}

/// Same-sounding characters a clerk might type instead: simplified hanzi → alternatives.
pub(crate) fn homophones(c: char) -> &'static [char] {
    match c {
        '张' => &['章'],
        '王' => &['汪'],
        '李' => &['黎', '理'],
        '刘' => &['柳', '留'],
        '陈' => &['晨', '沉'],
        '杨' => &['阳', '扬'],
        '黄' => &['皇', '煌'],
        '林' => &['琳', '霖'],
        '周' => &['州', '舟'],
        '吴' => &['武', '伍'],
        '徐' => &['许'],
        '许' => &['徐'],
        '孙' => &['荪'],
        '朱' => &['珠', '诸'],
        '胡' => &['湖', '糊'],
        '何' => &['和', '贺'],
        '高' => &['皋'],
        '罗' => &['萝', '骆'],
        '郑' => &['正'],
        '梁' => &['良', '粱'],
        '谢' => &['解'],
        '韩' => &['寒', '涵'],
        '冯' => &['峰'],
        '彭' => &['鹏'],
        '肖' => &['萧', '小'],
        '董' => &['东'],
        '伟' => &['玮', '炜', '维'],
        '强' => &['蔷', '墙'],
        '磊' => &['蕾', '垒'],
        '军' => &['君', '均'],
        '洋' => &['阳', '扬'],
        '勇' => &['永', '咏'],
        '杰' => &['洁', '捷'],
        '涛' => &['滔', '韬'],
        '斌' => &['彬', '滨'],
        '超' => &['潮'],
        '明' => &['铭', '鸣'],
        '刚' => &['钢', '纲'],
        '平' => &['萍', '苹'],
        '辉' => &['晖', '徽'],
        '鹏' => &['朋', '彭'],
        '华' => &['桦', '骅'],
        '飞' => &['菲', '非'],
        '鑫' => &['欣', '新'],
        '波' => &['博'],
        '宇' => &['雨', '羽', '语'],
        '浩' => &['昊', '皓'],
        '凯' => &['楷', '恺'],
        '健' => &['建', '剑'],
        '俊' => &['骏', '峻'],
        '龙' => &['隆'],
        '宁' => &['凝'],
        '建' => &['健'],
        '国' => &['果'],
        '志' => &['智', '致'],
        '晓' => &['小', '筱'],
        '东' => &['冬', '栋'],
        '文' => &['雯', '闻'],
        '子' => &['紫', '梓'],
        '轩' => &['萱', '宣'],
        '然' => &['冉'],
        '芳' => &['方', '芬'],
        '娜' => &['那', '纳'],
        '敏' => &['民', '闽'],
        '静' => &['晶', '敬', '婧'],
        '丽' => &['莉', '力', '立'],
        '艳' => &['燕', '妍'],
        '娟' => &['鹃', '涓'],
        '霞' => &['侠', '夏'],
        '婷' => &['亭', '庭', '廷'],
        '秀' => &['绣'],
        '英' => &['瑛', '莹'],
        '雪' => &['学'],
        '慧' => &['惠', '蕙'],
        '玲' => &['铃', '凌', '琳'],
        '丹' => &['单'],
        '萍' => &['平', '苹'],
        '红' => &['虹', '宏', '鸿'],
        '兰' => &['岚', '澜'],
        '燕' => &['艳', '雁'],
        '倩' => &['茜'],
        '颖' => &['莹', '影'],
        '琳' => &['林', '霖'],
        '欣' => &['新', '馨'],
        '怡' => &['宜', '仪'],
        '涵' => &['含', '寒'],
        '梓' => &['子', '紫'],
        '诗' => &['思'],
        '雨' => &['宇', '语'],
        '美' => &['梅'],
        '梅' => &['美', '玫'],
        '佳' => &['嘉', '家'],
        '琪' => &['琦', '祺', '淇'],
        '珍' => &['真', '贞'],
        '月' => &['悦'],
        _ => &[],
    }
}

/// Traditional forms of the simplified characters that appear in names and addresses here.
pub(crate) fn traditional(c: char) -> char {
    match c {
        '张' => '張',
        '伟' => '偉',
        '刘' => '劉',
        '陈' => '陳',
        '杨' => '楊',
        '黄' => '黃',
        '赵' => '趙',
        '吴' => '吳',
        '孙' => '孫',
        '马' => '馬',
        '郑' => '鄭',
        '罗' => '羅',
        '谢' => '謝',
        '许' => '許',
        '韩' => '韓',
        '冯' => '馮',
        '邓' => '鄧',
        '蒋' => '蔣',
        '苏' => '蘇',
        '吕' => '呂',
        '叶' => '葉',
        '欧' => '歐',
        '阳' => '陽',
        '丽' => '麗',
        '艳' => '艷',
        '红' => '紅',
        '兰' => '蘭',
        '静' => '靜',
        '军' => '軍',
        '强' => '強',
        '涛' => '濤',
        '辉' => '輝',
        '鹏' => '鵬',
        '华' => '華',
        '飞' => '飛',
        '龙' => '龍',
        '宁' => '寧',
        '凯' => '凱',
        '杰' => '傑',
        '东' => '東',
        '国' => '國',
        '晓' => '曉',
        '轩' => '軒',
        '云' => '雲',
        '颖' => '穎',
        '诗' => '詩',
        '凤' => '鳳',
        '娟' => '娟',
        '刚' => '剛',
        '鑫' => '鑫',
        '丰' => '豐',
        '发' => '發',
        '庆' => '慶',
        '贵' => '貴',
        '义' => '義',
        '佳' => '佳',
        '梦' => '夢',
        '亿' => '億',
        '书' => '書',
        '广' => '廣',
        '区' => '區',
        '号' => '號',
        '门' => '門',
        '园' => '園',
        '兴' => '興',
        '汉' => '漢',
        '湾' => '灣',
        '宝' => '寶',
        '岭' => '嶺',
        '关' => '關',
        '长' => '長',
        '庄' => '莊',
        '鼓' => '鼓',
        '楼' => '樓',
        '桥' => '橋',
        '滨' => '濱',
        '铁' => '鐵',
        '湖' => '湖',
        '锦' => '錦',
        '绣' => '繡',
        '绿' => '綠',
        '万' => '萬',
        '级' => '級',
        '单' => '單',
        '栋' => '棟',
        '纪' => '紀',
        '连' => '連',
        '庐' => '廬',
        '厦' => '廈',
        '浒' => '滸',
        '淮' => '淮',
        '邺' => '鄴',
        '苑' => '苑',
        '乌' => '烏',
        '鲁' => '魯',
        '齐' => '齊',
        '蒙' => '蒙',
        '维' => '維',
        '尔' => '爾',
        '内' => '內',
        '岳' => '嶽',
        '历' => '歷',
        '荫' => '蔭',
        '顺' => '順',
        '温' => '溫',
        '鹿' => '鹿',
        '湘' => '湘',
        '洁' => '潔',
        '玮' => '瑋',
        '炜' => '煒',
        '惠' => '惠',
        '欢' => '歡',
        '乐' => '樂',
        '头' => '頭',
        '新' => '新',
        '农' => '農',
        '业' => '業',
        '学' => '學',
        '体' => '體',
        '复' => '復',
        '风' => '風',
        '胜' => '勝',
        '谊' => '誼',
        '盘' => '盤',
        '渝' => '渝',
        '坝' => '壩',
        '阁' => '閣',
        '宫' => '宮',
        '圣' => '聖',
        '开' => '開',
        '亚' => '亞',
        '昆' => '昆',
        '贤' => '賢',
        '伦' => '倫',
        '岚' => '嵐',
        '凉' => '涼',
        '际' => '際',
        '恒' => '恆',
        '谐' => '諧',
        '虹' => '虹',
        '韬' => '韜',
        '铭' => '銘',
        '鸣' => '鳴',
        '骏' => '駿',
        '钢' => '鋼',
        '纲' => '綱',
        '晖' => '暉',
        '骅' => '驊',
        '桦' => '樺',
        '闽' => '閩',
        '鹃' => '鵑',
        '涓' => '涓',
        '侠' => '俠',
        '庭' => '庭',
        '绍' => '紹',
        '贞' => '貞',
        '悦' => '悅',
        '仪' => '儀',
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_consistent() {
        assert_eq!(CITIES.len(), CITY_WEIGHTS.len());
        for city in CITIES {
            assert!(city.city.ends_with('市'));
            assert_eq!(city.province.is_empty(), city.province_short.is_empty());
            for (district, code) in city.districts {
                assert!(district.ends_with('区'), "{district}");
                assert_eq!(code.len(), 6);
                assert!(code.bytes().all(|b| b.is_ascii_digit()));
            }
        }
        for (_, (hanzi, pinyin)) in CN_GIVEN_MALE.iter().chain(CN_GIVEN_FEMALE) {
            assert_eq!(hanzi.chars().count(), pinyin.split(' ').count(), "{hanzi}");
        }
        for (_, (hanzi, pinyin)) in CN_SURNAMES {
            assert!(!hanzi.is_empty() && pinyin.bytes().all(|b| b.is_ascii_lowercase()));
        }
        assert!(CN_MOBILE_PREFIXES.iter().all(|p| p.len() == 3));
    }

    #[test]
    fn homophones_and_traditional_forms_differ_from_the_character() {
        for (_, (hanzi, _)) in CN_SURNAMES
            .iter()
            .chain(CN_GIVEN_MALE)
            .chain(CN_GIVEN_FEMALE)
        {
            for c in hanzi.chars() {
                assert!(!homophones(c).contains(&c), "{c}");
            }
        }
        assert_eq!(traditional('张'), '張');
        assert_eq!(traditional('王'), '王');
    }
}
