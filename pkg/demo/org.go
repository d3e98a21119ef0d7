package demo

// The fictional council's structure and the names its people are made
// from. Every name is a common British given name put together at random
// with a common family name: nobody real is meant.

// team is one team under a head of service.
type team struct {
	name   string
	leader string   // the team leader's job title
	titles []string // the officers' job titles; the first is the most common
	size   int      // people in the team, its leader included
	// leaderCast and officerCast name a demo account's person (see cast)
	// who is this team's leader, or its first officer (with titles[0]).
	leaderCast, officerCast string
}

// department is one service under a head of service, who reports to a
// director (or, for the Chief Executive's Office, to the chief executive).
type department struct {
	name     string
	head     string // the head of service's job title
	director int    // index into directors; -1: the chief executive
	teams    []team
}

const (
	deptCEO        = "Chief Executive's Office"
	deptFinance    = "Finance"
	deptHousing    = "Housing"
	deptPlanning   = "Planning"
	deptEnv        = "Environmental Services"
	deptRevenues   = "Revenues & Benefits"
	deptLegal      = "Legal & Democratic Services"
	deptCustomer   = "Customer Services"
	deptLeisure    = "Leisure & Culture"
	deptHR         = "Human Resources"
	deptMembers    = "Elected Members"
	chiefExecutive = "Chief Executive"
)

// directors sit in the Chief Executive's Office and report to the chief
// executive.
var directors = []string{
	"Director of Corporate Resources",
	"Director of Communities",
	"Director of Place",
}

var departments = []department{
	{deptCEO, "Head of Policy & Communications", -1, []team{
		{name: "Policy & Performance", leader: "Policy & Performance Manager", titles: []string{"Policy Officer", "Performance Analyst"}, size: 5},
		{name: "Communications", leader: "Communications Manager", titles: []string{"Communications Officer", "Graphic Designer"}, size: 4},
	}},
	{deptFinance, "Head of Finance (Section 151 Officer)", 0, []team{
		{name: "Accountancy", leader: "Principal Accountant", titles: []string{"Accountant", "Senior Accountant", "Finance Assistant"}, size: 11},
		{name: "Exchequer", leader: "Exchequer Manager", titles: []string{"Payments Officer", "Income Officer", "Finance Assistant"}, size: 10},
		{name: "Procurement", leader: "Procurement Manager", titles: []string{"Procurement Officer"}, size: 5},
		{name: "Internal Audit", leader: "Audit Manager", titles: []string{"Auditor", "Senior Auditor"}, size: 5, leaderCast: castAuditor},
	}},
	{deptHousing, "Head of Housing", 1, []team{
		{name: "Housing Options", leader: "Housing Options Team Leader", titles: []string{"Housing Options Officer", "Homelessness Prevention Officer", "Housing Advisor"}, size: 18,
			leaderCast: castTeamLeader, officerCast: castEmployee},
		{name: "Tenancy Management", leader: "Tenancy Services Manager", titles: []string{"Tenancy Officer", "Neighbourhood Officer"}, size: 14},
		{name: "Repairs & Maintenance", leader: "Repairs Manager", titles: []string{"Multi-trade Operative", "Repairs Surveyor", "Repairs Planner"}, size: 20},
		{name: "Private Sector Housing", leader: "Private Sector Housing Manager", titles: []string{"Private Sector Housing Officer", "Empty Homes Officer"}, size: 9},
		{name: "Allocations", leader: "Allocations Team Leader", titles: []string{"Allocations Officer"}, size: 8},
	}},
	{deptPlanning, "Head of Planning", 2, []team{
		{name: "Development Management", leader: "Development Management Manager", titles: []string{"Planning Officer", "Senior Planning Officer", "Planning Technician"}, size: 16},
		{name: "Planning Policy", leader: "Planning Policy Manager", titles: []string{"Planning Policy Officer"}, size: 7},
		{name: "Building Control", leader: "Building Control Manager", titles: []string{"Building Control Surveyor"}, size: 8},
		{name: "Planning Enforcement", leader: "Enforcement Team Leader", titles: []string{"Planning Enforcement Officer"}, size: 6},
	}},
	{deptEnv, "Head of Environmental Services", 2, []team{
		{name: "Waste & Recycling", leader: "Waste Services Manager", titles: []string{"Refuse Loader", "HGV Driver", "Crew Supervisor", "Recycling Officer"}, size: 32},
		{name: "Street Scene", leader: "Street Scene Manager", titles: []string{"Street Cleansing Operative", "Grounds Maintenance Operative"}, size: 20},
		{name: "Environmental Health", leader: "Environmental Health Manager", titles: []string{"Environmental Health Officer", "Food Safety Officer"}, size: 12},
		{name: "Community Safety & Licensing", leader: "Community Safety Manager", titles: []string{"Community Safety Officer", "Licensing Officer", "Anti-social Behaviour Officer"}, size: 10,
			officerCast: castTrainer},
	}},
	{deptRevenues, "Head of Revenues & Benefits", 0, []team{
		{name: "Council Tax", leader: "Council Tax Team Leader", titles: []string{"Council Tax Officer", "Recovery Officer"}, size: 15},
		{name: "Business Rates", leader: "Business Rates Team Leader", titles: []string{"Business Rates Officer"}, size: 8},
		{name: "Benefits", leader: "Benefits Team Leader", titles: []string{"Benefits Assessor", "Senior Benefits Assessor"}, size: 16},
		{name: "Fraud & Compliance", leader: "Compliance Team Leader", titles: []string{"Compliance Officer"}, size: 5},
	}},
	{deptLegal, "Head of Legal & Democratic Services (Monitoring Officer)", 0, []team{
		{name: "Legal", leader: "Principal Solicitor", titles: []string{"Solicitor", "Paralegal", "Legal Assistant"}, size: 9},
		{name: "Democratic Services", leader: "Democratic Services Manager", titles: []string{"Democratic Services Officer"}, size: 7},
		{name: "Electoral Services", leader: "Electoral Services Manager", titles: []string{"Electoral Services Officer"}, size: 6},
	}},
	{deptCustomer, "Head of Customer Services", 1, []team{
		{name: "Contact Centre", leader: "Contact Centre Team Leader", titles: []string{"Customer Services Advisor"}, size: 22},
		{name: "Customer Service Centre", leader: "Customer Services Team Leader", titles: []string{"Customer Services Advisor", "Receptionist"}, size: 11},
		{name: "Digital & ICT", leader: "Digital Services Manager", titles: []string{"ICT Support Analyst", "Web Officer", "Digital Support Officer"}, size: 8},
	}},
	{deptLeisure, "Head of Leisure & Culture", 1, []team{
		{name: "Leisure Centres", leader: "Leisure Centre Manager", titles: []string{"Leisure Attendant", "Lifeguard", "Fitness Instructor", "Duty Manager"}, size: 20},
		{name: "Museum & Heritage", leader: "Museum Manager", titles: []string{"Museum Assistant", "Collections Officer", "Learning Officer"}, size: 8},
		{name: "Arts & Events", leader: "Arts & Events Manager", titles: []string{"Events Officer", "Arts Development Officer"}, size: 6},
		{name: "Parks & Open Spaces", leader: "Parks Manager", titles: []string{"Park Ranger"}, size: 5},
	}},
	{deptHR, "Head of HR & Organisational Development", 0, []team{
		{name: "HR Advisory", leader: "HR Manager", titles: []string{"HR Advisor", "HR Business Partner"}, size: 9, leaderCast: castHR},
		{name: "Payroll", leader: "Payroll Manager", titles: []string{"Payroll Officer"}, size: 5},
		{name: "Learning & Development", leader: "Learning & Development Manager", titles: []string{"Learning & Development Officer", "Apprenticeship Coordinator"}, size: 5},
	}},
}

// Members' offices; the rest are "Councillor".
var memberTitles = []string{
	"Leader of the Council",
	"Deputy Leader of the Council",
	"Chairman of the Council",
	"Vice-Chairman of the Council",
	"Cabinet Member for Housing",
	"Cabinet Member for Finance",
	"Cabinet Member for Environment",
	"Cabinet Member for Communities",
	"Chair of Planning Committee",
	"Chair of Licensing Committee",
	"Chair of Overview & Scrutiny Committee",
	"Chair of Audit & Governance Committee",
}

// contractors and volunteers: where they work and as what.
var contractors = []struct{ dept, team, title string }{
	{deptEnv, "Waste & Recycling", "Agency HGV Driver"},
	{deptEnv, "Waste & Recycling", "Agency Refuse Loader"},
	{deptHousing, "Repairs & Maintenance", "Agency Repairs Surveyor"},
	{deptHousing, "Repairs & Maintenance", "Contract Electrician"},
	{deptCustomer, "Digital & ICT", "ICT Contractor"},
	{deptPlanning, "Development Management", "Agency Planning Officer"},
}

var volunteers = []struct{ dept, team, title string }{
	{deptLeisure, "Museum & Heritage", "Museum Volunteer"},
	{deptLeisure, "Museum & Heritage", "Museum Volunteer"},
	{deptLeisure, "Museum & Heritage", "Heritage Guide (volunteer)"},
	{deptLeisure, "Parks & Open Spaces", "Park Volunteer"},
	{deptLeisure, "Parks & Open Spaces", "Park Volunteer"},
	{deptLeisure, "Arts & Events", "Events Volunteer"},
}

var givenNames = []string{
	"Amelia", "Olivia", "Emily", "Sophie", "Charlotte", "Hannah", "Grace", "Lucy", "Jessica", "Rebecca",
	"Laura", "Sarah", "Rachel", "Claire", "Helen", "Karen", "Joanne", "Nicola", "Emma", "Katie",
	"Megan", "Chloe", "Zoe", "Amy", "Jennifer", "Victoria", "Gemma", "Kelly", "Louise", "Catherine",
	"Fiona", "Alison", "Susan", "Julie", "Angela", "Deborah", "Priya", "Aisha", "Fatima", "Anjali",
	"Mei", "Niamh", "Siobhan", "Bethan", "Ffion", "Agnieszka", "Olga", "Yasmin", "Leah", "Abigail",
	"James", "Oliver", "Thomas", "William", "Harry", "Jack", "George", "Samuel", "Daniel", "Matthew",
	"Joseph", "Benjamin", "Luke", "Adam", "Ryan", "Michael", "David", "Richard", "Paul", "Mark",
	"Andrew", "Stephen", "Peter", "Simon", "Christopher", "Gareth", "Rhys", "Owen", "Callum", "Liam",
	"Connor", "Declan", "Mohammed", "Imran", "Arjun", "Ravi", "Kwame", "Tomasz", "Piotr", "Neil",
	"Graham", "Keith", "Ian", "Martin", "Stuart", "Craig", "Jamal", "Ahmed", "Ethan", "Nathan",
}

var familyNames = []string{
	"Jones", "Taylor", "Williams", "Wilson", "Evans", "Thomas", "Roberts", "Walker", "Wright", "Robinson",
	"Thompson", "White", "Hughes", "Edwards", "Green", "Hall", "Wood", "Harris", "Lewis", "Martin",
	"Jackson", "Clarke", "Turner", "Hill", "Scott", "Cooper", "Morris", "Ward", "Moore", "King",
	"Watson", "Baker", "Harrison", "Morgan", "Patel", "Young", "Allen", "Mitchell", "Anderson", "Phillips",
	"Lee", "Bell", "Parker", "Davis", "Shaw", "Lloyd", "Bennett", "Cook", "Griffiths", "Richardson",
	"Khan", "Ali", "Hussain", "Ahmed", "Begum", "Singh", "Kaur", "Sharma", "Chowdhury", "Okafor",
	"Mensah", "Adeyemi", "Nowak", "Kowalski", "O'Brien", "O'Connor", "Murphy", "Kelly", "Byrne", "McDonald",
	"Campbell", "Stewart", "Fraser", "Reid", "Marshall", "Ellis", "Palmer", "Fletcher", "Holmes", "Barker",
	"Lambert", "Walsh", "Pearson", "Hudson", "Sutton", "Burton", "Dixon", "Pickering", "Atkinson", "Brook",
	"Hargreaves", "Greenwood", "Ashworth", "Sutcliffe", "Whitaker", "Holroyd", "Haigh", "Barraclough", "Crossley", "Lister",
	"Rhodes", "Firth", "Ackroyd", "Oldroyd", "Thornton", "Metcalfe", "Dawson", "Pollard", "Rowe", "Heaton",
	"Booth", "Kershaw", "Mellor", "Tattersall", "Brennan", "Gill", "Hanson", "Naylor", "Wainwright", "Foster",
}

// The demo accounts' people: fixed names, so the README can list them.
const (
	castCEO        = "chief executive"
	castTeamLeader = "team leader"
	castEmployee   = "employee"
	castAuditor    = "auditor"
	castHR         = "hr"
	castTrainer    = "trainer"
)

type castMember struct {
	given, family string
	years         int // service, for the start date
}

var cast = map[string]castMember{
	castCEO:        {"Rachel", "Thornbury", 8},
	castTeamLeader: {"Daniel", "Okoro", 9},
	castEmployee:   {"Sophie", "Marsh", 6},
	castAuditor:    {"Graham", "Pellow", 12},
	castHR:         {"Fiona", "Gallagher", 10},
	castTrainer:    {"Tom", "Whitfield", 5},
}

// castOrder is the order the demo accounts are listed in.
var castOrder = []string{castCEO, castTeamLeader, castEmployee, castAuditor, castHR, castTrainer}
