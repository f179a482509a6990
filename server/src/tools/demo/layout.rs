//! Where everything sits: the 15 township-level units as blocks of the grid, the 6 cell pairs
//! that form one village each, and the 7 villages that have no officer yet.

use sync_protocol::body::UnitLevel;

use super::grid::Block;

/// Column cuts (west to east) and row cuts (south to north) that split the grid into 5 × 3 blocks.
const COL_CUTS: [usize; 6] = [0, 3, 6, 9, 12, 14];
const ROW_CUTS: [usize; 4] = [0, 4, 7, 10];

/// A township-level unit: unit id `T{number:02}`.
#[derive(Debug, Clone, Copy)]
pub struct TownshipSpec {
    pub number: u8,
    pub name: &'static str,
    pub name_zh: &'static str,
    pub level: UnitLevel,
    /// Block column (0 west … 4 east) and row (0 south … 2 north).
    pub at: (usize, usize),
    /// For a farm: the township whose land office serves it (farms have none of their own).
    pub served_by: Option<u8>,
}

impl TownshipSpec {
    pub fn block(&self) -> Block {
        let (c, r) = self.at;
        Block::new(COL_CUTS[c], COL_CUTS[c + 1], ROW_CUTS[r], ROW_CUTS[r + 1])
    }

    pub fn has_land_office(&self) -> bool {
        self.level != UnitLevel::Farm
    }
}

const fn t(number: u8, name: &'static str, name_zh: &'static str, level: UnitLevel, at: (usize, usize)) -> TownshipSpec {
    TownshipSpec { number, name, name_zh, level, at, served_by: None }
}

/// Map (north up):
/// ```text
///            west                                       east
/// north   T02 Shangbao  T04 Heling  T06 Baishui T07 Huangtian T15 Jinpan Farm
/// middle  T09 Zhukeng   T03 Longtang T01 Yunshan T10 Gaofeng  T14 Chaling Farm
/// south   T12 Meilin    T05 Shixi   T08 Qingxi  T11 Tanxia    T13 Fenggang
/// ```
/// 8 townships (乡), 5 towns (镇, T01 is the county seat) and 2 farms (场), T14 and T15, served
/// by the land offices of their western neighbours T10 and T07.
pub const TOWNSHIPS: [TownshipSpec; 15] = {
    use UnitLevel::{Farm, Town, Township};
    [
        t(1, "Yunshan Town", "云山镇", Town, (2, 1)),
        t(2, "Shangbao Township", "上堡乡", Township, (0, 2)),
        t(3, "Longtang Town", "龙塘镇", Town, (1, 1)),
        t(4, "Heling Township", "鹤岭乡", Township, (1, 2)),
        t(5, "Shixi Town", "石溪镇", Town, (1, 0)),
        t(6, "Baishui Township", "白水乡", Township, (2, 2)),
        t(7, "Huangtian Township", "黄田乡", Township, (3, 2)),
        t(8, "Qingxi Town", "清溪镇", Town, (2, 0)),
        t(9, "Zhukeng Township", "竹坑乡", Township, (0, 1)),
        t(10, "Gaofeng Township", "高峰乡", Township, (3, 1)),
        t(11, "Tanxia Town", "滩下镇", Town, (3, 0)),
        t(12, "Meilin Township", "梅林乡", Township, (0, 0)),
        t(13, "Fenggang Township", "枫岗乡", Township, (4, 0)),
        TownshipSpec { served_by: Some(10), ..t(14, "Chaling Farm", "茶岭垦殖场", Farm, (4, 1)) },
        TownshipSpec { served_by: Some(7), ..t(15, "Jinpan Farm", "金盘垦殖场", Farm, (4, 2)) },
    ]
};

/// Pairs of neighbouring cells that are one village each (140 cells − 6 = 134 villages), one
/// pair in each of T12, T05, T08, T11, T13 and T01.
pub const MERGED: [Block; 6] = [
    Block::new(0, 2, 0, 1),
    Block::new(4, 5, 1, 3),
    Block::new(7, 9, 0, 1),
    Block::new(10, 11, 2, 4),
    Block::new(12, 14, 3, 4),
    Block::new(6, 8, 5, 6),
];

/// Villages (township number, village number) whose officer post is vacant: the county has 134
/// villages but 127 officers. These seven did not name a new information officer after the 2026
/// village-committee elections (村委会换届); until they do, their zones have no assignment and the
/// township inspectors patrol them. One vacancy in each of seven units, always the last village.
pub const VACANT: [(u8, u8); 7] = [(2, 9), (4, 9), (6, 9), (9, 9), (12, 11), (13, 7), (15, 6)];

/// One village: the cells it covers and the core cell its licences are drawn in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VillagePlan {
    /// Index into [`TOWNSHIPS`].
    pub township: usize,
    /// 1-based, numbered from the north-west corner of the township, row by row.
    pub number: u8,
    pub cells: Block,
    /// The village's north-west cell.
    pub core: Block,
}

/// Every village, township by township in the order of [`TOWNSHIPS`].
pub fn villages() -> Vec<VillagePlan> {
    let mut out = Vec::with_capacity(134);
    for (township, spec) in TOWNSHIPS.iter().enumerate() {
        let b = spec.block();
        let mut number = 0;
        for r in (b.r0..b.r1).rev() {
            for c in b.c0..b.c1 {
                let Some(cells) = village_cells(c, r) else { continue };
                number += 1;
                out.push(VillagePlan { township, number, cells, core: Block::cell(c, r) });
            }
        }
    }
    out
}

/// The cells of the village whose north-west cell is `(c, r)`, or `None` when `(c, r)` is the
/// second cell of a merged pair.
fn village_cells(c: usize, r: usize) -> Option<Block> {
    match MERGED.iter().find(|m| m.contains_cell(c, r)) {
        Some(m) if (c, r) == (m.c0, m.r1 - 1) => Some(*m),
        Some(_) => None,
        None => Some(Block::cell(c, r)),
    }
}
