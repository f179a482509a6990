//! Names for the demo county's places, people and minerals: pinyin beside Chinese, drawn
//! deterministically from small syllable tables so that no two villages or people share a name.

use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use sync_protocol::body::Mineral;

/// A name in pinyin and in Chinese characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name {
    pub en: String,
    pub zh: String,
}

const PLACE_HEADS: [(&str, &str); 30] = [
    ("Shang", "上"),
    ("Xia", "下"),
    ("Da", "大"),
    ("Xiao", "小"),
    ("Shi", "石"),
    ("Huang", "黄"),
    ("Bai", "白"),
    ("Gao", "高"),
    ("Xin", "新"),
    ("Lao", "老"),
    ("Dong", "东"),
    ("Xi", "西"),
    ("Nan", "南"),
    ("Bei", "北"),
    ("Zhu", "竹"),
    ("Song", "松"),
    ("Shan", "杉"),
    ("Tong", "桐"),
    ("Mei", "梅"),
    ("Tao", "桃"),
    ("Long", "龙"),
    ("Feng", "凤"),
    ("Jin", "金"),
    ("Yin", "银"),
    ("Chang", "长"),
    ("Shui", "水"),
    ("Qing", "青"),
    ("Wu", "乌"),
    ("Cha", "茶"),
    ("Yang", "洋"),
];

const PLACE_TAILS: [(&str, &str); 18] = [
    ("keng", "坑"),
    ("tang", "塘"),
    ("ping", "坪"),
    ("ling", "岭"),
    ("bei", "背"),
    ("tian", "田"),
    ("kou", "口"),
    ("pai", "排"),
    ("zhen", "圳"),
    ("ao", "坳"),
    ("hu", "湖"),
    ("xi", "溪"),
    ("dong", "洞"),
    ("gang", "岗"),
    ("ba", "坝"),
    ("yuan", "源"),
    ("wei", "围"),
    ("an", "岸"),
];

const SURNAMES: [(&str, &str); 20] = [
    ("Liu", "刘"),
    ("Chen", "陈"),
    ("Zhong", "钟"),
    ("Xie", "谢"),
    ("Zeng", "曾"),
    ("Huang", "黄"),
    ("Li", "李"),
    ("Lai", "赖"),
    ("Luo", "罗"),
    ("Liao", "廖"),
    ("Wang", "王"),
    ("Zhang", "张"),
    ("Qiu", "邱"),
    ("Wen", "温"),
    ("Zhu", "朱"),
    ("Lin", "林"),
    ("He", "何"),
    ("Xiao", "肖"),
    ("Hu", "胡"),
    ("Guo", "郭"),
];

const GIVEN_NAMES: [(&str, &str); 20] = [
    ("Wei", "伟"),
    ("Fang", "芳"),
    ("Jianhua", "建华"),
    ("Xiaoping", "小平"),
    ("Guoqiang", "国强"),
    ("Xiuying", "秀英"),
    ("Haiyan", "海燕"),
    ("Zhiming", "志明"),
    ("Chunsheng", "春生"),
    ("Guilan", "桂兰"),
    ("Wenbin", "文斌"),
    ("Lihua", "丽华"),
    ("Yonghong", "永红"),
    ("Desheng", "德胜"),
    ("Jinfeng", "金凤"),
    ("Shuisheng", "水生"),
    ("Hongmei", "红梅"),
    ("Mingliang", "明亮"),
    ("Yuzhen", "玉珍"),
    ("Jiahui", "家辉"),
];

/// `n` distinct village names such as "Shangkeng Village" / "上坑村".
pub fn village_names(rng: &mut ChaCha8Rng, n: usize) -> Vec<Name> {
    let mut pairs: Vec<_> = PLACE_HEADS.iter().flat_map(|h| PLACE_TAILS.iter().map(move |t| (*h, *t))).collect();
    pairs.shuffle(rng);
    pairs
        .into_iter()
        .take(n)
        .map(|((he, hz), (te, tz))| Name { en: format!("{he}{}{te} Village", apostrophe(te)), zh: format!("{hz}{tz}村") })
        .collect()
}

/// `n` distinct county names such as "Shangkeng County" / "上坑县".
pub fn county_names(rng: &mut ChaCha8Rng, n: usize) -> Vec<Name> {
    village_names(rng, n).into_iter().map(|v| Name { en: v.en.replace(" Village", " County"), zh: v.zh.replace('村', "县") }).collect()
}

/// `n` distinct personal names such as "Liu Jianhua" / "刘建华".
pub fn person_names(rng: &mut ChaCha8Rng, n: usize) -> Vec<Name> {
    let mut pairs: Vec<_> = SURNAMES.iter().flat_map(|s| GIVEN_NAMES.iter().map(move |g| (*s, *g))).collect();
    pairs.shuffle(rng);
    pairs.into_iter().take(n).map(|((se, sz), (ge, gz))| Name { en: format!("{se} {ge}"), zh: format!("{sz}{gz}") }).collect()
}

/// Pinyin separates a syllable that starts with a, o or e from the one before it (Xi'an).
fn apostrophe(tail: &str) -> &'static str {
    if tail.starts_with(['a', 'o', 'e']) { "'" } else { "" }
}

/// A mineral's label in English and Chinese, as users see it.
pub fn mineral_label(m: Mineral) -> (&'static str, &'static str) {
    match m {
        Mineral::Tin => ("Tin", "锡"),
        Mineral::Copper => ("Copper", "铜"),
        Mineral::Lead => ("Lead", "铅"),
        Mineral::Zinc => ("Zinc", "锌"),
        Mineral::Gold => ("Gold", "金"),
        Mineral::Silver => ("Silver", "银"),
        Mineral::Cobalt => ("Cobalt", "钴"),
        Mineral::Manganese => ("Manganese", "锰"),
        Mineral::Iron => ("Iron", "铁"),
        Mineral::Tungsten => ("Tungsten", "钨"),
        Mineral::RareEarth => ("Rare Earth", "稀土"),
        Mineral::Uranium => ("Uranium", "铀"),
        Mineral::Coal => ("Coal", "煤"),
        Mineral::Fluorite => ("Fluorite", "萤石"),
        Mineral::Graphite => ("Graphite", "石墨"),
        Mineral::CementLimestone => ("Cement Limestone", "水泥用灰岩"),
        Mineral::Kaolin => ("Kaolin", "高岭土"),
        Mineral::RockSalt => ("Rock Salt", "岩盐"),
        Mineral::Mirabilite => ("Mirabilite", "芒硝"),
        Mineral::Mica => ("Mica", "云母"),
        Mineral::Quartz => ("Quartz", "石英"),
        Mineral::Crystal => ("Crystal", "水晶"),
        Mineral::MaifanStone => ("Maifan Stone", "麦饭石"),
        Mineral::OrnamentalGranite => ("Ornamental Granite", "饰面用花岗岩"),
        Mineral::BuildingSandGravelClay => ("Building Sand and Clay", "建筑用砂石粘土"),
        Mineral::BrickClay => ("Brick Clay", "砖瓦用粘土"),
        Mineral::LeadZinc => ("Lead-Zinc", "铅锌"),
    }
}
