"""The demo county's 2023H1 summary template.

Written in the structure of a real county committee's 2023 half-year report
(its sections and the facts it reports, in our own words), with a placeholder
wherever that report gives a figure. Exporting 2023H1 from the demo data
reproduces every figure of the report; the figures the report left blank
(备案 次, 研判 期 …) come out as marked missing figures.
"""

from reports.summary.selectors import template_for
from reports.summary.services import save_template

DEMO_PERIOD = "2023H1"

DEMO_TITLE = "【县名】委政法委【年度】上半年工作总结及下半年工作打算"

DEMO_SIGNATORY = "中共【县名】委政法委员会"
DEMO_DATED = "2023年7月10日"

DEMO_BODY = """
今年是全面贯彻党的二十大精神的开局之年。上半年，全县政法系统以习近平新时代中国特色社会主义思想为指导，深入贯彻习近平法治思想，坚持党对政法工作的绝对领导，统筹发展和安全，落实中央和省、市、县委政法工作会议部署，聚焦“五大重点工作”，着力建设更高水平的平安【县名】、法治【县名】。现将上半年工作情况和下半年工作打算报告如下。
一、上半年工作开展情况
（一）坚决维护社会大局和谐稳定
抓实理论武装。把学习贯彻党的二十大精神、习近平法治思想和总体国家安全观作为首要政治任务，在思想上政治上行动上同党中央保持高度一致。上半年召开政法全体会议【leadership.plenary_meetings】、县委政法委委务会议【leadership.committee_meetings】；落实意识形态工作责任制，分析研判意识形态领域情况【leadership.ideology_analyses】，提升舆论引导水平。
严明政治纪律和政治规矩。巩固政法队伍教育整顿成果，县委听取政法工作汇报【leadership.party_committee_hearings】，县政府【leadership.government_studies|为零：未专题研究政法工作|否则：研究政法工作#】并表彰见义勇为先进个人。县委常委、政法委书记为全县政法干警讲专题党课。召开【县名】政法系统党风廉政教育联席会议【leadership.integrity_meetings】，听取县检察院党风廉政建设情况汇报，其余政法单位书面报告。
执行党内法规制度。严格落实《中国共产党政法工作条例》及省委实施细则，完善“两个维护”制度机制，执行重大事项请示报告制度，上半年政法系统重大事项请示报告备案【leadership.major_matter_filings】。
（二）全力护航经济社会高质量发展
维护国家政治安全。高效运行维护国家政治安全工作协调机制，召开全县维护国家政治安全暨反恐怖工作领导小组会议，部署反恐防暴和人防、物防、技防措施。深入开展严打暴恐专项行动，办理涉恐案件【security.terror_cases】、涉及【security.terror_case_persons】，常态化开展反恐演练【security.counter_terror_drills】，石油石化系统三级重点目标达标验收【security.key_targets_accepted】，守住“零暴恐”底线。对【security.key_persons_controlled】政治重点人落实教育稳控和转化攻坚。县、乡镇、村（社区）三级国家安全人民防线信息员达到【security.informants】，“法治剪纸”普法经验被市委政法委推广。
防范化解社会稳定风险。落实“政法主统、公安主战、信访主力、属地和行业主责”要求，圆满完成全国和省、市“两会”等重要时段安保维稳任务。严格落实重大决策社会稳定风险评估，上半年开展社会稳定风险评估备案【stability.risk_assessments】。政法各部门排查涉法涉诉风险隐患【stability.litigation_risks_found】，县委政法委收到并转办【stability.litigation_risks_referred】。今年市委政法委下达我县涉法涉诉信访积案化解任务【stability.petition_backlog_resolved|目标】，已化解【stability.petition_backlog_resolved】，完成年度任务的【stability.petition_backlog_resolved|完成率】。健全风险研判、化解、攻坚、评估、处置和督导问效机制，上半年开展社会稳定形势研判【stability.situation_analyses】，召开涉稳会商会议【stability.consultation_meetings】，排查化解非访群体【stability.irregular_petitioners_resolved】，稳控非访重点人员【stability.key_petitioners_controlled】。
多元化解矛盾纠纷。推动人民调解、行政调解、司法调解衔接联动，健全公调对接机制，全县落实专职调解员【mediation.fulltime_mediators】、兼职调解员【mediation.parttime_mediators】。深入开展矛盾纠纷“大起底大排查大化解”，县法院以人民法庭为支点推行“人民调解+司法确认”，人民法庭结案【mediation.tribunal_cases_closed】，服务乡村振兴。
维护网络空间安全。协同推进“清朗”系列专项行动，开展平安建设领域舆情形势分析研判【cyber.sentiment_analyses】。运营平安【县名】、法治【县名】等宣传专栏，发布微信推文【cyber.wechat_posts|整百|余】，完成“一周一主题”宣传主题【cyber.weekly_themes|整十|余】。开展政法系统网络安全应急演练【cyber.emergency_drills】，落实“三同步”机制，监测处置负面舆情【cyber.negative_posts_handled】，【cyber.negative_incidents|为零：未发生负面舆情事件|否则：发生负面舆情事件#】。
（三）深入推进社会治理现代化
精准对接法治需求。在现代农业产业园新建公共法律服务站【legal_service.new_service_stations】，在法院、退役军人事务局、县妇联等部门增设法律援助工作站（点）【legal_service.new_aid_stations】；受理法律援助案件【legal_service.aid_cases】，发放案件补贴【legal_service.aid_subsidies】，提前完成省级民生实事任务。全县【legal_service.town_stations】乡镇、【legal_service.village_stations】村（社区）公共法律服务工作站（室）实现全覆盖。开展“法律进企业”活动，人民调解员为企业排查劳资、合同、借贷纠纷【mediation.enterprise_disputes_found】，成功调处【mediation.enterprise_disputes_resolved】（调处成功率【mediation.enterprise_dispute_success_rate】），索回欠款【mediation.debts_recovered|整十|多】，挽回经济损失【mediation.losses_recovered|整百|多】；开展专项法治体检【legal_service.enterprise_checkups】，提出法律意见【legal_service.legal_opinions】，协助审查合同【legal_service.contracts_reviewed】。部署“执行攻坚年”专项行动，受理执行案件【enforcement.cases_received】，执结【enforcement.cases_concluded】，结案率【enforcement.conclusion_rate|1位小数】；累计执行到位金额【enforcement.amount_recovered|4位小数】，发布失信被执行人名单【enforcement.defaulters_listed】，限制高消费【enforcement.consumption_restricted】，司法拘留【enforcement.judicial_detentions】。
持续优化法治供给。落实全县政法系统优化营商环境各项措施，推行柔性执法、文明执法。县法院审结各类涉企案件【business.enterprise_cases_closed】，为藤椒企业挽回加工产值【business.output_recovered】，经验被人民法院报专刊报道；帮助企业解决法律问题【business.enterprise_problems_solved】，集中攻坚涉企执行老案难案【business.old_enforcement_cases_cleared】。县检察院实质化解行政争议【business.admin_disputes_resolved】。开展交通运输领域执法突出问题专项整治，收集核实有效线索【business.traffic_enforcement_leads】，均已整改。推行涉企事项“一站”服务、“一窗”联办、“一机”通办，公章刻制纳入企业开办“一网通办”，备案印章【business.seals_filed】；县公安局通过平台受理群众办证申请【business.permit_applications_online|整十|近】，开通户籍窗口“绿色通道”【business.green_channels】，以“延时服务”为群众办理身份证【business.id_cards_extended_hours】。
彰显法治建设成果。推进法治政府建设示范创建，组织行政执法人员通用法律知识考试。县司法局出具合法性审查意见书【law_gov.legality_reviews】、意见反馈单【law_gov.review_feedback_forms】。开展行政复议质量提升年活动，办理行政复议案件【law_gov.reconsideration_cases】，法定期限结案率【law_gov.reconsideration_on_time_rate|取整】；承办县政府应诉案件【law_gov.lawsuits_handled】，行政机关负责人出庭应诉率【law_gov.head_appearance_rate|取整】。实施“八五”普法规划，探索“法治+非遗”“法治+文化栏目”等普法形式，完成县委常委会会前学法、领导干部年度述法和县级部门、乡镇“法治账图”初审。
（四）坚定不移全面深化政法改革
完善平安建设工作体系。在县委常委会、政府常务会、县委政法委委务会学习宣传《平安建设规定》，出台平安建设领导小组专项组工作规则，健全每月分析研判平安建设形势报告制度；落实通报批评、约谈、挂牌整治等措施，对存在扣分风险的单位点对点提示，强化考评结果运用。
守住公共安全底线。会同县教体局印发中小学生欺凌常态化综合治理方案，政法各单位选派法制副校长【campus.vice_principals】；开展学校周边环境专项督查，发现问题【campus.problems_found】，涉及学校【campus.schools_involved】，已通报并督促限期整改。落实寄递物流“三项制度”，组织公安、交通、市场监管、应急等部门对寄递物流和加油站点拉网排查。推进道路交通安全综合治理，严管非法营运、“三超一疲劳”和“一盔一带”，查处各类交通违法行为【traffic.violations_handled|万|1位小数|余】，排查道路安全隐患【traffic.hazards_found】，已整治【traffic.hazards_fixed】（整治率【traffic.hazard_fix_rate】）；【traffic.accidents+traffic.deaths+traffic.injuries+traffic.direct_losses|全降：道路交通事故四项指数全面下降】。整治黄赌毒：破获涉黄案件【vice.porn_cases】，捣毁涉黄窝点【vice.porn_dens_destroyed】，移送起诉【vice.porn_prosecuted】，行政处罚【vice.porn_admin_penalties】；破获涉赌刑事案件【vice.gambling_cases】，捣毁涉赌窝点【vice.gambling_dens_destroyed】，收缴赌博游戏机【vice.gambling_machines_seized】，移送起诉【vice.gambling_prosecuted】，行政处罚【vice.gambling_admin_penalties】；开展“禁毒执法、破案攻坚”专项行动，刑事打击涉毒犯罪人员【vice.drug_offenders_struck】，查处吸毒人员【vice.drug_users_caught】，强制隔离戒毒【vice.compulsory_rehab】，破获省督制毒物品案件并抓获犯罪嫌疑人【vice.precursor_case_suspects】。
整治社会治安突出问题。常态化推进扫黑除恶斗争，落实《反有组织犯罪法》，县公安局侦办九类涉恶案件【anti_gang.cases】，移送起诉九类涉恶人员【anti_gang.persons_prosecuted】。重拳打击治理电信网络诈骗，全县发生电信网络诈骗案件【anti_fraud.cases】，【anti_fraud.cases|同比】；群众损失【anti_fraud.losses】，【anti_fraud.losses|同比】【anti_fraud.cases+anti_fraud.losses|全降：，实现案件数、损失额“双降”|否则：】。破获电诈案件【anti_fraud.cases_solved】，抓获电信网络诈骗及黑灰产业犯罪嫌疑人【anti_fraud.suspects_caught】，惩戒“两卡”人员【anti_fraud.two_cards_punished】；止付账户【anti_fraud.accounts_stopped】、金额【anti_fraud.amount_stopped】，冻结账户【anti_fraud.accounts_frozen】、金额【anti_fraud.amount_frozen】。全县滞留缅北窝点人员【anti_fraud.myanmar_stranded_total】，已核减【anti_fraud.myanmar_stranded_reduced】，现存【anti_fraud.myanmar_stranded_remaining】，核减率【anti_fraud.myanmar_reduction_rate|1位小数】，现存人数全国排第【anti_fraud.myanmar_rank_national】、全省排第【anti_fraud.myanmar_rank_provincial】；滞留金三角、阿联酋、柬埔寨窝点人员【anti_fraud.sea_stranded_total】，已核减【anti_fraud.sea_stranded_reduced】，现存【anti_fraud.sea_stranded_remaining】，全省排第【anti_fraud.sea_rank_provincial】。“国家反诈中心”APP注册【anti_fraud.app_registrations】，实有人口注册率【anti_fraud.app_registration_rate】。顺利通过市域社会治理现代化试点省级验收，县乡村三级综治中心实体化实战化运行，雪亮工程在线率【governance.camera_online_rate|取整】，出图率【governance.camera_image_rate|取整】以上；开展综治中心干部教育培训【governance.center_trainings】。
二、存在问题
（一）违规违纪现象尚未完全遏制。个别政法单位党风廉政责任制落实不到位，对干警八小时以外生活圈、朋友圈、社交圈的监督仍有薄弱环节，管理责任传导不够。
（二）干警素质能力有待提升。部分干警在运用法律政策、防控风险、做群众工作、应用科技和引导舆论等方面存在短板，需要加强培训。
（三）政法服务与群众新需求还有差距。人民内部矛盾交织叠加，影响社会和谐稳定的因素依然存在；境内外敌对势力渗透颠覆活动不断；个别行业领域恶势力未打深打透；刑事案件总量仍处高位，电信网络诈骗尚未得到有效遏制。
三、下半年工作打算
整治社会治安突出问题。围绕盗窃、赌博、夜间出行安全等群众关切，深化夏季治安打击整治“百日行动”，用好“135”快反点位和一体化智慧侦查中心，组建反扒窃专业队，快侦快破快处刑事治安案件；壮大专业巡逻和平安志愿巡逻力量，提高见警率、见车率、见灯率。
严厉打击电信网络诈骗。围绕窝点人员劝返、“两卡”整治、涉案人员打击和宣传防范，继续劝返缅北及东南亚滞留人员，依法惩戒“两卡”人员，打击黑灰产业犯罪，推广“国家反诈中心”APP，精准预警劝阻，挽回群众损失。
消除道路交通安全隐患。深入开展“大排查、大整治、大曝光”，整治临水临崖、急弯陡坡等危险路段和安防设施缺失、路面破损等问题；落实民警担任公路警长，设立交通安全劝导站，严查酒驾醉驾、超速超员和三轮车违法载人。
推进扫黑除恶常态化。宣传《反有组织犯罪法》，落实线索移交核查反馈和重大案件协调制度，拓宽线索来源，畅通举报渠道，兑现举报奖励，开展重点地区和行业领域专项整治。
建设平安法治乡村。以创建“六无”平安村（社区）为抓手开展基层“平安细胞”创建，落实“有进有出”动态管理；将重点人群全部纳入网格管理，对严重精神障碍患者分级监护，落实救治救助、法治教育、心理服务、技能培训和就业援助。
提升群众平安建设满意度。围绕公众安全感和政法满意度持续开展“一周一主题”宣传，在窗口单位和人员密集场所滚动刊播平安标语，开展平安宣传进社区、进单位、进企业、进市场、进校园，组织“平安【县名】、请您建言”活动和“政法委员说”短视频宣传，引导群众客观公正评价。
"""


def load_demo_template(*, user=None):
    """Create the 2023H1 template once (saved by the demo reviewer); an existing one is left alone. Returns it."""
    existing = template_for(DEMO_PERIOD)
    if existing is not None:
        return existing
    if user is None:
        from reports.models import User

        user = User.objects.filter(username="reviewer").first()
    return save_template(
        period=DEMO_PERIOD,
        title=DEMO_TITLE,
        body=DEMO_BODY,
        signatory=DEMO_SIGNATORY,
        dated=DEMO_DATED,
        user=user,
        note="示范模板",
    )
