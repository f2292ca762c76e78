//! Chinese surname data, written for sameas from public knowledge of the surname rankings.
//!
//! [`SINGLE_SURNAMES`] starts with the most common surnames in the order of the national
//! household-registration rankings (王 李 张 刘 陈 …; the top ~150 follow the published
//! frequency order closely), then continues with further surnames in roughly decreasing
//! frequency, then the rest of the *Hundred Family Surnames* (百家姓) in its traditional
//! order. Only the relative order matters: it decides which reading wins when a romanised
//! name could be read either way round ("Wei Zhang": 张 outranks 魏, so the family is zhang).

use std::sync::LazyLock;

use foldhash::{HashMap, HashMapExt};

/// Single-character surnames, most common first. Repeats are ignored (first one wins).
pub(super) const SINGLE_SURNAMES: &str = "\
王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许邓韩冯曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任卢姚沈钟姜崔谭陆范汪廖石金韦贾夏付方邹熊白孟秦邱侯江尹薛闫段雷龙黎史陶贺毛郝顾龚邵万覃武钱戴严莫孔向常汤康易乔赖文施洪辛柯庄樊牛聂章翟殷苗庞耿关兰倪焦俞左柳甘祝包代宁尚符舒阮纪梅童凌毕单季裴霍涂成苟颜郁邢骆欧岳司蒙卓安申温伍鲁葛吉詹蓝麦谷席路盛房饶滕项祁解管鲍闵穆尤宫连商晏柴褚华谈冉艾齐时边卜胥车靳巫强柏喻窦景党费冷郎晋鄢楚米凤花叶\
全池隋宗阎聂娄燕仇简尉欧揭粟佘湛廉迟岑冼苑蔺应练佟明荣敖查卞沙麻习储缪巩鞠阳侍覃寇谌戚贝伏农兰\
桂宿晁贡昌宣邬屈储甄敬佳冀蓬狄皮蒲雍梅厉甘利鄂平庹訾淡邸禹茅阚虞诸幸别郜浦奚姬栾郦茹匡纳\
赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜戚谢邹喻柏水窦章云苏潘葛奚范彭郎\
鲁韦昌马苗凤花方俞任袁柳酆鲍史唐费廉岑薛雷贺倪汤滕殷罗毕郝邬安常乐于时傅皮卞齐康伍余元卜顾孟平黄\
和穆萧尹姚邵湛汪祁毛禹狄米贝明臧计伏成戴谈宋茅庞熊纪舒屈项祝董梁杜阮蓝闵席季麻强贾路娄危江童颜郭\
梅盛林刁钟徐邱骆高夏蔡田樊胡凌霍虞万支柯昝管卢莫经房裘缪干解应宗丁宣贲邓郁单杭洪包诸左石崔吉钮龚\
程嵇邢滑裴陆荣翁荀羊於惠甄曲家封芮羿储靳汲邴糜松井段富巫乌焦巴弓牧隗山谷车侯宓蓬全郗班仰秋仲伊宫\
宁仇栾暴甘钭厉戎祖武符刘景詹束龙叶幸司韶郜黎蓟薄印宿白怀蒲邰从鄂索咸籍赖卓蔺屠蒙池乔阴郁胥能苍双\
闻莘党翟谭贡劳逄姬申扶堵冉宰郦雍却璩桑桂濮牛寿通边扈燕冀郏浦尚农温别庄晏柴瞿阎充慕连茹习宦艾鱼容\
向古易慎戈廖庾终暨居衡步都耿满弘匡国文寇广禄阙东欧殳沃利蔚越夔隆师巩厍聂晁勾敖融冷訾辛阚那简饶空\
曾毋沙乜养鞠须丰巢关蒯相查后荆红游竺权逯盖益桓公仉督岳帅缑亢况郈有琴归海晋楚闫法汝鄢涂钦商牟佘佴\
伯赏墨哈谯笪年爱阳佟言福区朴召秘种折黑重付代";

/// Two-character (compound) surnames, most common first.
pub(super) const COMPOUND_SURNAMES: &[&str] = &[
    "欧阳", "上官", "司马", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒",
    "夏侯", "令狐", "端木", "独孤", "南宫", "西门", "万俟", "闻人", "轩辕", "呼延", "申屠", "太史",
    "澹台", "公冶", "宗政", "濮阳", "淳于", "单于", "赫连", "钟离", "百里", "东郭", "司空", "仲孙",
    "宰父", "谷梁", "拓跋", "夹谷", "乐正", "壤驷", "公良", "漆雕", "巫马", "公西", "颛孙", "子车",
    "第五", "梁丘", "左丘", "东门", "羊舌", "微生", "公羊", "鲜于", "闾丘", "段干", "亓官", "司寇",
    "南门", "公户", "公玉", "公仪", "太叔",
];

/// Surname readings that differ from a character's most common reading. Applied to the
/// family name only: 单 is dan in 单位 but shan as a surname.
pub(super) const FAMILY_PINYIN_OVERRIDES: &[(&str, &str)] = &[
    ("单", "shan"),
    ("曾", "zeng"),
    ("解", "xie"),
    ("仇", "qiu"),
    ("区", "ou"),
    ("朴", "piao"),
    ("查", "zha"),
    ("盖", "ge"),
    ("缪", "miao"),
    ("翟", "zhai"),
    ("覃", "qin"),
    ("乐", "yue"),
    ("召", "shao"),
    ("秘", "bi"),
    ("种", "chong"),
    ("折", "she"),
    ("黑", "he"),
    ("重", "chong"),
    ("尉迟", "yu chi"),
    ("万俟", "mo qi"),
    ("单于", "chan yu"),
    ("长孙", "zhang sun"),
    ("令狐", "ling hu"),
    ("澹台", "tan tai"),
    ("乐正", "yue zheng"),
    ("亓官", "qi guan"),
    ("员", "yun"),
    ("繁", "po"),
    ("句", "gou"),
    ("尉", "wei"),
    ("佴", "nai"),
    ("隗", "wei"),
    ("都", "du"),
    ("长", "chang"),
];

/// Rank of each single-character surname (0 = most common).
pub(super) static SURNAME_RANK: LazyLock<HashMap<char, u16>> = LazyLock::new(|| {
    let mut map = HashMap::with_capacity(600);
    for (rank, c) in SINGLE_SURNAMES
        .chars()
        .filter(|c| !c.is_whitespace())
        .enumerate()
    {
        map.entry(c)
            .or_insert(u16::try_from(rank).unwrap_or(u16::MAX));
    }
    map
});

/// The family-name override reading of a single or compound surname.
pub(super) static OVERRIDES: LazyLock<HashMap<&'static str, &'static str>> =
    LazyLock::new(|| FAMILY_PINYIN_OVERRIDES.iter().copied().collect());

static COMPOUND_SET: LazyLock<foldhash::HashSet<&'static str>> =
    LazyLock::new(|| COMPOUND_SURNAMES.iter().copied().collect());

/// Whether `s` is a listed compound surname.
pub(super) fn is_compound(s: &str) -> bool {
    COMPOUND_SET.contains(s)
}

/// Whether a listed surname, single or compound, leads `chars` (simplified Han characters).
pub(crate) fn leads(chars: &str) -> bool {
    let mut it = chars.chars();
    let Some(first) = it.next() else {
        return false;
    };
    is_single(first)
        || it
            .next()
            .is_some_and(|second| is_compound(&chars[..first.len_utf8() + second.len_utf8()]))
}

/// Whether `c` is a listed single-character surname.
pub(super) fn is_single(c: char) -> bool {
    SURNAME_RANK.contains_key(&c)
}

/// Whether `c` is among the `top` most common single-character surnames.
pub(super) fn is_among_most_common(c: char, top: u16) -> bool {
    SURNAME_RANK.get(&c).is_some_and(|&rank| rank < top)
}
